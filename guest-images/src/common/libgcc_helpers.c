/*
 * The 64-bit division helpers gcc calls on i386. There is no 32-bit libgcc on the build machine,
 * so the images bring their own: shift-and-subtract, only used off the hot paths.
 */
#include <stdint.h>

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
    if (d == 0) {
        /* Raise #DE like the hardware divide would. */
        volatile uint32_t zero = 0;
        return 1u / zero;
    }
    if ((n >> 32) == 0 && (d >> 32) == 0) {
        uint32_t q = (uint32_t)n / (uint32_t)d;
        if (rem) {
            *rem = (uint32_t)n % (uint32_t)d;
        }
        return q;
    }
    uint64_t q = 0;
    uint64_t r = 0;
    for (int bit = 63; bit >= 0; bit--) {
        uint64_t carry = r >> 63;
        r = (r << 1) | ((n >> bit) & 1);
        if (carry || r >= d) {
            r -= d;
            q |= (uint64_t)1 << bit;
        }
    }
    if (rem) {
        *rem = r;
    }
    return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
    return __udivmoddi4(n, d, 0);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
    uint64_t r;
    __udivmoddi4(n, d, &r);
    return r;
}

int64_t __divdi3(int64_t n, int64_t d)
{
    int negative = (n < 0) != (d < 0);
    uint64_t q = __udivmoddi4(n < 0 ? -(uint64_t)n : (uint64_t)n, d < 0 ? -(uint64_t)d : (uint64_t)d, 0);
    return negative ? -(int64_t)q : (int64_t)q;
}

int64_t __moddi3(int64_t n, int64_t d)
{
    uint64_t r;
    __udivmoddi4(n < 0 ? -(uint64_t)n : (uint64_t)n, d < 0 ? -(uint64_t)d : (uint64_t)d, &r);
    return n < 0 ? -(int64_t)r : (int64_t)r;
}
