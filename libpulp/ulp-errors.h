/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ulp-errors.h - the project's error codes, one list for every component.
 *
 * Fallible functions return 0, -errno, or -ULP_E_xxx.  The runtime returns
 * these codes to the controller through a borrowed thread, so the numbers
 * are part of the runtime ABI: append only, never renumber.
 */
#ifndef ULP_ERRORS_H
#define ULP_ERRORS_H

#include <string.h>

/* X(name, value, message) */
#define ULP_ERROR_LIST(X)                                                                                   \
	X(ULP_E_NOT_CONTAINER, 1000, "not a live patch container (no .ulp.meta section; run 'ulp packer')") \
	X(ULP_E_MALFORMED, 1001, "malformed live patch container")                                          \
	X(ULP_E_VERSION, 1002, "unsupported container format version")                                      \
	X(ULP_E_DIGEST, 1003, "container digest mismatch: the file changed after packing")                  \
	X(ULP_E_TARGET_NOT_LOADED, 1004, "target library not loaded")                                       \
	X(ULP_E_BUILDID, 1005, "buildid mismatch")                                                          \
	X(ULP_E_ALREADY_APPLIED, 1006, "patch already applied")                                             \
	X(ULP_E_NOT_APPLIED, 1007, "patch not applied")                                                     \
	X(ULP_E_NOT_PATCHABLE, 1008, "function entry is not patchable")                                     \
	X(ULP_E_SYMBOL, 1009, "symbol not found")                                                           \
	X(ULP_E_DLOPEN, 1010, "cannot load the patch object")                                               \
	X(ULP_E_DISABLED, 1011, "live patching is disabled in this process")                                \
	X(ULP_E_STICKY, 1012, "the runtime is in an error state and refuses patching")                      \
	X(ULP_E_NO_RUNTIME, 1013, "no live patching runtime (libpulp.so) in the process")                   \
	X(ULP_E_ABI, 1014, "incompatible runtime ABI version")                                              \
	X(ULP_E_SITE_CHANGED, 1015, "patch site changed since the patch was prepared")                      \
	X(ULP_E_BUSY_SITE, 1016, "a thread is executing a patch site")                                      \
	X(ULP_E_TIMEOUT, 1017, "timed out")                                                                 \
	X(ULP_E_EXITED, 1018, "process exited")                                                             \
	X(ULP_E_DESCRIPTION, 1019, "invalid description file")                                              \
	X(ULP_E_REFS_UNSUPPORTED, 1020, "'#' references are not supported yet")                             \
	X(ULP_E_CALL_CRASHED, 1021, "the runtime call crashed in the target")                               \
	X(ULP_E_NO_TXN, 1022, "no prepared patch transaction in the target")                                \
	X(ULP_E_NOT_ELF, 1023, "not an ELF file")                                                           \
	X(ULP_E_NO_THREAD, 1024, "no thread of the process can be borrowed safely now")                     \
	X(ULP_E_HOOK, 1025, "the live patch's pre_patch hook refused it")                                   \
	X(ULP_E_BUSY, 1026, "a runtime call of an earlier ulp is still running in the process")             \
	X(ULP_E_HALF_SWITCHED, 1027, "an earlier ulp was stopped half-way through a switch")

enum ulp_error {
#define ULP_ERROR_ENUM(name, value, msg) name = value,
	ULP_ERROR_LIST(ULP_ERROR_ENUM)
#undef ULP_ERROR_ENUM
};

/* ulp_strerror() - message for a negative code (-errno or -ULP_E_xxx). */
static inline const char *ulp_strerror(int r)
{
	switch (-r) {
#define ULP_ERROR_CASE(name, value, msg) \
	case name:                       \
		return msg;
		ULP_ERROR_LIST(ULP_ERROR_CASE)
#undef ULP_ERROR_CASE
	}
	return strerror(-r);
}

#endif
