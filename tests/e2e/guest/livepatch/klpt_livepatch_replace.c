/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpt_livepatch_replace - klpt_livepatch.c as an atomic-replace patch
 * (the replace set of tests/e2e/mkdump-x86_64.sh); see there.
 */
#define KLPT_REPLACE 1
#include "klpt_livepatch.c"
