/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fleet-prog.c - one process of the fleet benchmark: a small idle program
 * with the runtime, the only kind of process that loads libbenchfleet.so.
 *
 * Usage: fleet-prog NAME
 * Renames itself NAME (what `ulp trigger -p 'WILDCARD'` matches), writes
 * one byte "r" to stdout when ready, then blocks reading stdin and exits
 * at end of input: the benchmark holds the other end of one pipe for all
 * of them, so they go away together, even if the benchmark dies.
 */
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bench-libs.h"

int main(int argc, char **argv)
{
	char c;
	ssize_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: fleet-prog NAME\n");
		return 2;
	}
	if (prctl(PR_SET_NAME, argv[1], 0, 0, 0) < 0 || fleet_value(1) != 2)
		return 1;
	if (write(1, "r", 1) != 1)
		return 1;
	/* a read ulp interrupted to borrow this thread is restarted: only
	 * end of input (or an error) ends the loop */
	while ((n = read(0, &c, 1)) > 0)
		;
	return n == 0 ? 0 : 1;
}
