/*
 * bench: a CPU-bound mix for comparing emulators. Every kernel is deterministic (a fixed-seed PRNG,
 * 32-bit integer arithmetic only), prints its checksum, and the total checksum mixes them all, so
 * any emulator that computes one wrong result prints a different total.
 *
 * Command line: scale=N (default DEFAULT_SCALE) multiplies the work of every kernel.
 */
#include "guest.h"

#define DEFAULT_SCALE 60

#define SIEVE_SIZE 262144
#define CRC_BYTES 65536
#define MATRIX_N 48
#define SORT_COUNT 16384
#define VM_ITERATIONS 40000
#define DIVISION_COUNT 60000

static uint8_t sieve_flags[SIEVE_SIZE];
static uint8_t crc_data[CRC_BYTES];
static uint32_t crc_table[256];
static int32_t matrix_a[MATRIX_N][MATRIX_N];
static int32_t matrix_b[MATRIX_N][MATRIX_N];
static int32_t matrix_c[MATRIX_N][MATRIX_N];
static uint32_t sort_values[SORT_COUNT];

static uint32_t prng_state;

static uint32_t prng_next(void)
{
    uint32_t x = prng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    prng_state = x;
    return x;
}

static uint32_t mix(uint32_t h, uint32_t v)
{
    h ^= v;
    h *= 0x01000193u;
    return h ^ (h >> 15);
}

static uint32_t bench_sieve(uint32_t rounds)
{
    uint32_t sum = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        uint32_t limit = SIEVE_SIZE - (r & 1023);
        memset(sieve_flags, 1, limit);
        sieve_flags[0] = sieve_flags[1] = 0;
        for (uint32_t i = 2; i * i < limit; i++) {
            if (sieve_flags[i]) {
                for (uint32_t j = i * i; j < limit; j += i) {
                    sieve_flags[j] = 0;
                }
            }
        }
        uint32_t count = 0;
        uint32_t last = 0;
        for (uint32_t i = 0; i < limit; i++) {
            if (sieve_flags[i]) {
                count++;
                last = i;
            }
        }
        sum = mix(sum, count);
        sum = mix(sum, last);
    }
    return sum;
}

static uint32_t crc32_bitwise(const uint8_t *data, uint32_t length)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (uint32_t i = 0; i < length; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++) {
            crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
        }
    }
    return ~crc;
}

static uint32_t crc32_table(const uint8_t *data, uint32_t length)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (uint32_t i = 0; i < length; i++) {
        crc = crc_table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
    }
    return ~crc;
}

static uint32_t bench_crc(uint32_t rounds)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int bit = 0; bit < 8; bit++) {
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        crc_table[i] = c;
    }
    uint32_t sum = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        for (uint32_t i = 0; i < CRC_BYTES; i++) {
            crc_data[i] = (uint8_t)prng_next();
        }
        uint32_t slow = crc32_bitwise(crc_data, CRC_BYTES / 4);
        uint32_t fast = crc32_table(crc_data, CRC_BYTES);
        if (slow != crc32_table(crc_data, CRC_BYTES / 4)) {
            kprintf("crc32: bitwise and table CRC disagree in round %u\n", r);
            guest_exit(2);
        }
        sum = mix(sum, slow);
        sum = mix(sum, fast);
    }
    return sum;
}

static uint32_t bench_matrix(uint32_t rounds)
{
    uint32_t sum = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        for (int i = 0; i < MATRIX_N; i++) {
            for (int j = 0; j < MATRIX_N; j++) {
                matrix_a[i][j] = (int32_t)(prng_next() % 2001) - 1000;
                matrix_b[i][j] = (int32_t)(prng_next() % 2001) - 1000;
            }
        }
        for (int i = 0; i < MATRIX_N; i++) {
            for (int j = 0; j < MATRIX_N; j++) {
                int32_t acc = 0;
                for (int k = 0; k < MATRIX_N; k++) {
                    acc += matrix_a[i][k] * matrix_b[k][j];
                }
                matrix_c[i][j] = acc;
            }
        }
        for (int i = 0; i < MATRIX_N; i++) {
            sum = mix(sum, (uint32_t)matrix_c[i][i]);
            sum = mix(sum, (uint32_t)matrix_c[i][MATRIX_N - 1 - i]);
        }
    }
    return sum;
}

static void sift_down(uint32_t *a, uint32_t start, uint32_t count)
{
    uint32_t root = start;
    while (2 * root + 1 < count) {
        uint32_t child = 2 * root + 1;
        if (child + 1 < count && a[child] < a[child + 1]) {
            child++;
        }
        if (a[root] >= a[child]) {
            return;
        }
        uint32_t t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

static void heap_sort(uint32_t *a, uint32_t count)
{
    for (uint32_t start = count / 2; start-- > 0;) {
        sift_down(a, start, count);
    }
    for (uint32_t end = count; end-- > 1;) {
        uint32_t t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift_down(a, 0, end);
    }
}

static void quick_sort(uint32_t *a, int32_t lo, int32_t hi)
{
    while (lo < hi) {
        uint32_t pivot = a[lo + (hi - lo) / 2];
        int32_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) {
                i++;
            }
            while (a[j] > pivot) {
                j--;
            }
            if (i <= j) {
                uint32_t t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        /* Recurse into the smaller half to bound the stack depth. */
        if (j - lo < hi - i) {
            quick_sort(a, lo, j);
            lo = i;
        } else {
            quick_sort(a, i, hi);
            hi = j;
        }
    }
}

static uint32_t bench_sort(uint32_t rounds)
{
    uint32_t sum = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        for (uint32_t i = 0; i < SORT_COUNT; i++) {
            sort_values[i] = prng_next() % 1000003u;
        }
        if (r & 1) {
            heap_sort(sort_values, SORT_COUNT);
        } else {
            quick_sort(sort_values, 0, SORT_COUNT - 1);
        }
        for (uint32_t i = 1; i < SORT_COUNT; i++) {
            if (sort_values[i - 1] > sort_values[i]) {
                kprintf("sort: not sorted at %u in round %u\n", i, r);
                guest_exit(3);
            }
        }
        for (uint32_t i = 0; i < SORT_COUNT; i += 97) {
            sum = mix(sum, sort_values[i]);
        }
    }
    return sum;
}

/* A register machine: 8 registers, 4-byte instructions (opcode, dst, src, imm8). */
enum vm_op { VM_LOADI, VM_ADD, VM_SUB, VM_MUL, VM_XOR, VM_SHR, VM_AND, VM_DECJNZ, VM_ADDI, VM_HALT };

struct vm_insn {
    uint8_t op, dst, src, imm;
};

static const struct vm_insn vm_program[] = {
    { VM_LOADI, 0, 0, 1 },   /* r0 = 1 (a) */
    { VM_LOADI, 1, 0, 1 },   /* r1 = 1 (b) */
    { VM_LOADI, 3, 0, 0 },   /* r3 = hash */
    /* loop (pc 3) */
    { VM_ADD, 0, 1, 0 },     /* a += b */
    { VM_XOR, 1, 0, 0 },     /* b ^= a */
    { VM_MUL, 3, 0, 0 },     /* hash *= a */
    { VM_ADDI, 3, 0, 77 },   /* hash += 77 */
    { VM_SHR, 4, 3, 7 },     /* r4 = hash >> 7 */
    { VM_XOR, 3, 4, 0 },     /* hash ^= r4 */
    { VM_AND, 4, 1, 0 },     /* r4 &= b */
    { VM_SUB, 0, 4, 0 },     /* a -= r4 */
    { VM_DECJNZ, 2, 0, 3 },  /* if (--r2) goto 3 */
    { VM_HALT, 0, 0, 0 },
};

static uint32_t vm_run(uint32_t iterations, uint32_t seed)
{
    uint32_t reg[8] = { 0 };
    reg[2] = iterations;
    reg[5] = seed;
    uint32_t pc = 0;
    for (;;) {
        const struct vm_insn in = vm_program[pc++];
        switch (in.op) {
        case VM_LOADI: reg[in.dst] = in.imm + reg[5]; break;
        case VM_ADD: reg[in.dst] += reg[in.src]; break;
        case VM_SUB: reg[in.dst] -= reg[in.src]; break;
        case VM_MUL: reg[in.dst] *= reg[in.src] | 1; break;
        case VM_XOR: reg[in.dst] ^= reg[in.src]; break;
        case VM_SHR: reg[in.dst] = reg[in.src] >> in.imm; break;
        case VM_AND: reg[in.dst] &= reg[in.src]; break;
        case VM_ADDI: reg[in.dst] += in.imm; break;
        case VM_DECJNZ:
            if (--reg[in.dst] != 0) {
                pc = in.imm;
            }
            break;
        default:
            return reg[3] ^ reg[0] ^ (reg[1] << 1);
        }
    }
}

static uint32_t bench_vm(uint32_t rounds)
{
    uint32_t sum = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        sum = mix(sum, vm_run(VM_ITERATIONS, prng_next() & 0xFFFF));
    }
    return sum;
}

static uint32_t bench_division(uint32_t rounds)
{
    uint32_t sum = 0;
    int32_t signed_sum = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        for (uint32_t i = 0; i < DIVISION_COUNT; i++) {
            uint32_t n = prng_next();
            uint32_t d = (prng_next() >> (i & 31)) | 1;
            sum += n / d;
            sum ^= n % d;
            int32_t sn = (int32_t)n;
            int32_t sd = (int32_t)(d >> 1) - (int32_t)(i & 0xFFF);
            if (sd == 0) {
                sd = 7;
            }
            signed_sum += sn / sd;
            signed_sum ^= sn % sd;
        }
        sum = mix(sum, (uint32_t)signed_sum);
    }
    return sum;
}

struct kernel {
    const char *name;
    uint32_t (*run)(uint32_t rounds);
    uint32_t rounds_per_scale;
};

static const struct kernel kernels[] = {
    { "sieve", bench_sieve, 1 },
    { "crc32", bench_crc, 1 },
    { "matrix", bench_matrix, 4 },
    { "sort", bench_sort, 2 },
    { "vm", bench_vm, 2 },
    { "division", bench_division, 2 },
};

int guest_main(const struct multiboot_info *mbi)
{
    (void)mbi;
    uint32_t scale = cmdline_uint("scale", DEFAULT_SCALE);
    kprintf("bench: scale=%u\n", scale);
    uint32_t total = 0x811C9DC5u;
    for (size_t k = 0; k < sizeof(kernels) / sizeof(kernels[0]); k++) {
        prng_state = 0x9E3779B9u ^ (uint32_t)(k * 0x85EBCA6Bu);
        uint32_t checksum = kernels[k].run(scale * kernels[k].rounds_per_scale);
        kprintf("%s: %08x\n", kernels[k].name, checksum);
        total = mix(total, checksum);
    }
    kprintf("total: %08x\n", total);
    return 0;
}
