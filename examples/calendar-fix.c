/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * calendar-fix.c - the live patch for libcalendar.so: the fixed
 * cal_is_leap().  A live patch is an ordinary shared object holding the
 * new versions of the functions; calendar-fix.dsc says which function of
 * which library each one replaces.
 *
 * cal_days_in_month() needs no new version: its call to cal_is_leap()
 * lands in the fixed function once the patch is applied.
 */
int cal_is_leap_fixed(int year);

int cal_is_leap_fixed(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}
