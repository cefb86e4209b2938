/* Virtual addresses the paging and privilege checks share (page tables built in paging.c). */
#ifndef TWINSTEP_CPUCHECK_PAGING_H
#define TWINSTEP_CPUCHECK_PAGING_H

#include <stdint.h>

#define VA_TEST_BASE 0x00800000u
#define VA_SUPERVISOR 0x00800000u    /* frame A, supervisor, writable */
#define VA_NOT_PRESENT 0x00801000u
#define VA_READONLY 0x00802000u      /* frame B, supervisor, read-only */
#define VA_USER_READONLY 0x00803000u /* frame B, user, read-only */
#define VA_USER_RW 0x00804000u       /* frame A, user, writable */
#define VA_BIG_PAGE 0x00C00000u      /* 4 MiB supervisor page onto physical 4 MiB */

uint32_t paging_directory(void);

#endif
