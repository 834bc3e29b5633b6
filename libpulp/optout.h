/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ULP_RUNTIME_OPTOUT_H
#define ULP_RUNTIME_OPTOUT_H

#include <stdbool.h>

/* optout_disabled() - whether LIBPULP_DISABLE_ON_{PATH,USERS,GROUPS} match
 * this process (read once, by the constructor). */
__attribute__((visibility("hidden"))) bool optout_disabled(void);

#endif
