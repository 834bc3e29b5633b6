/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * calendar.h - libcalendar.so, the library the example daemon uses.
 */
#ifndef EXAMPLE_CALENDAR_H
#define EXAMPLE_CALENDAR_H

/* cal_is_leap() - 1 if @year is a leap year in the Gregorian calendar. */
int cal_is_leap(int year);

/* cal_days_in_month() - days in @month (1-12) of @year, -1 if no such month. */
int cal_days_in_month(int year, int month);

#endif
