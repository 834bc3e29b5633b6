/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libcalendar.c - a small calendar library with a bug: cal_is_leap()
 * forgets the century rule, so it calls 1900 and 2100 leap years, and
 * cal_days_in_month() gives February 1900 29 days.
 *
 * Built with -fpatchable-function-entry=16,14 (meson: patchable_args), so
 * its functions can be replaced in running processes.  Nothing in the
 * source is special.
 */
#include "calendar.h"

int cal_is_leap(int year)
{
	return year % 4 == 0; /* BUG: 1900 is not a leap year, 2000 is */
}

int cal_days_in_month(int year, int month)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month < 1 || month > 12)
		return -1;
	if (month == 2 && cal_is_leap(year))
		return 29;
	return days[month - 1];
}
