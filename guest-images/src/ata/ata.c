/*
 * ata: a PIO driver for the primary master, run twice: polled with nIEN set, then with IRQ14.
 * IDENTIFY (only what every emulator must agree on is printed: the ATA bit, LBA support, the
 * READ/WRITE MULTIPLE limit and the LBA28 sector count), READ SECTORS of known sectors, WRITE
 * SECTORS and read-back, SET MULTIPLE MODE with READ/WRITE MULTIPLE, an LBA past the end and FLUSH
 * CACHE. The disk is reference/make-disk.sh's: byte j of sector k is (k + j) mod 256, except bytes
 * 0-3, which hold k as a little-endian 32-bit number. The guest writes to it, so every run needs a
 * fresh copy.
 */
#include "devlib.h"

#define ATA_DATA 0x1F0
#define ATA_ERROR 0x1F1
#define ATA_COUNT 0x1F2
#define ATA_LBA0 0x1F3
#define ATA_LBA1 0x1F4
#define ATA_LBA2 0x1F5
#define ATA_DEVICE 0x1F6
#define ATA_STATUS 0x1F7
#define ATA_COMMAND 0x1F7
#define ATA_CONTROL 0x3F6
#define ATA_ALT_STATUS 0x3F6
#define ATA_IRQ 14

#define ST_BSY 0x80
#define ST_DRDY 0x40
#define ST_DF 0x20
#define ST_DRQ 0x08
#define ST_ERR 0x01
#define ST_SHOWN (ST_BSY | ST_DRDY | ST_DF | ST_DRQ | ST_ERR) /* DSC and the obsolete bits vary */
#define ERR_ABRT 0x04
#define ERR_IDNF 0x10
#define CTL_NIEN 0x02
#define CTL_SRST 0x04

#define CMD_READ_SECTORS 0x20
#define CMD_WRITE_SECTORS 0x30
#define CMD_READ_MULTIPLE 0xC4
#define CMD_WRITE_MULTIPLE 0xC5
#define CMD_SET_MULTIPLE 0xC6
#define CMD_FLUSH_CACHE 0xE7
#define CMD_IDENTIFY 0xEC

#define SECTOR 512u
#define MAX_SECTORS 16u
#define MULTIPLE 4u
#define SPIN_LIMIT 100000000u
#define IRQ_TIMEOUT_TICKS 500u

static uint8_t buffer[MAX_SECTORS * SECTOR] __attribute__((aligned(4)));
static uint8_t expected[MAX_SECTORS * SECTOR];
static uint32_t disk_sectors;
static int use_irq;
static volatile uint32_t irq_count;
static volatile uint8_t irq_status;

static void ata_interrupt(void)
{
    /* Reading STATUS (not ALT STATUS) is what lowers INTRQ. */
    irq_status = inb(ATA_STATUS);
    irq_count++;
}

static const char *yes_no(int ok)
{
    return ok ? "yes" : "no";
}

/* Polls ALT STATUS until BSY clears; returns the status, or 0xFF when the drive never answers. */
static uint8_t wait_not_busy(void)
{
    for (uint32_t i = 0; i < SPIN_LIMIT; i++) {
        uint8_t st = inb(ATA_ALT_STATUS);
        if ((st & ST_BSY) == 0) {
            return st;
        }
    }
    return 0xFF;
}

/*
 * Waits for the device to finish a step. Polled: BSY clear, then STATUS read. With interrupts: the
 * `expected_irqs`-th IRQ14 since the command, and the status its handler read.
 */
static uint8_t wait_step(uint32_t expected_irqs)
{
    if (!use_irq) {
        uint8_t st = wait_not_busy();
        return st == 0xFF ? st : inb(ATA_STATUS);
    }
    if (!wait_for_count(&irq_count, expected_irqs, IRQ_TIMEOUT_TICKS)) {
        return 0xFF;
    }
    return irq_status;
}

static void issue(uint8_t command, uint32_t lba, uint8_t count)
{
    irq_disable();
    irq_count = 0;
    irq_enable();
    outb(ATA_DEVICE, (uint8_t)(0xE0 | ((lba >> 24) & 0x0F)));
    outb(ATA_COUNT, count);
    outb(ATA_LBA0, (uint8_t)lba);
    outb(ATA_LBA1, (uint8_t)(lba >> 8));
    outb(ATA_LBA2, (uint8_t)(lba >> 16));
    outb(ATA_COMMAND, command);
}

static void read_words(uint8_t *dst, uint32_t bytes)
{
    uint32_t words = bytes / 2;
    __asm__ volatile("rep insw" : "+D"(dst), "+c"(words) : "d"(ATA_DATA) : "memory");
}

static void write_words(const uint8_t *src, uint32_t bytes)
{
    uint32_t words = bytes / 2;
    __asm__ volatile("rep outsw" : "+S"(src), "+c"(words) : "d"(ATA_DATA) : "memory");
}

/* PIO data-in: one DRQ block (and, with interrupts, one IRQ) per `per_block` sectors. */
static int pio_in(uint8_t command, uint32_t lba, uint32_t sectors, uint32_t per_block, uint32_t *irqs)
{
    issue(command, lba, (uint8_t)sectors);
    uint32_t blocks = 0;
    for (uint32_t done = 0; done < sectors; done += per_block) {
        uint8_t st = wait_step(blocks + 1);
        blocks++;
        if ((st & (ST_BSY | ST_DRQ | ST_ERR)) != ST_DRQ) {
            return 0;
        }
        uint32_t n = sectors - done < per_block ? sectors - done : per_block;
        read_words(buffer + done * SECTOR, n * SECTOR);
    }
    *irqs = irq_count;
    return 1;
}

/* PIO data-out: the first block goes on DRQ alone; every block written is followed by an IRQ. */
static int pio_out(uint8_t command, uint32_t lba, uint32_t sectors, uint32_t per_block, uint32_t *irqs)
{
    issue(command, lba, (uint8_t)sectors);
    uint8_t st = wait_not_busy();
    uint32_t blocks = 0;
    for (uint32_t done = 0; done < sectors; done += per_block) {
        if ((st & (ST_BSY | ST_DRQ | ST_ERR)) != ST_DRQ) {
            return 0;
        }
        uint32_t n = sectors - done < per_block ? sectors - done : per_block;
        write_words(buffer + done * SECTOR, n * SECTOR);
        st = wait_step(++blocks);
    }
    *irqs = irq_count;
    return (st & (ST_BSY | ST_DRQ | ST_ERR | ST_DF)) == 0;
}

static void fill_original(uint8_t *dst, uint32_t lba, uint32_t sectors)
{
    for (uint32_t s = 0; s < sectors; s++) {
        uint32_t k = lba + s;
        uint8_t *p = dst + s * SECTOR;
        for (uint32_t j = 0; j < SECTOR; j++) {
            p[j] = (uint8_t)(k + j);
        }
        memcpy(p, &k, 4);
    }
}

static void fill_written(uint8_t *dst, uint32_t lba, uint32_t sectors, uint8_t salt)
{
    for (uint32_t s = 0; s < sectors; s++) {
        for (uint32_t j = 0; j < SECTOR; j++) {
            dst[s * SECTOR + j] = (uint8_t)((lba + s) * 3 + j * 5 + salt);
        }
    }
}

static const char *mode_name(void)
{
    return use_irq ? "irq" : "polled";
}

static int check_read(uint8_t command, uint32_t lba, uint32_t sectors, uint32_t per_block)
{
    uint32_t irqs = 0;
    memset(buffer, 0, sectors * SECTOR);
    int ok = pio_in(command, lba, sectors, per_block, &irqs);
    fill_original(expected, lba, sectors);
    int match = ok && memcmp(buffer, expected, sectors * SECTOR) == 0;
    kprintf("%s: %s lba %u x%u: transfer %s, data is the disk pattern: %s", mode_name(),
            command == CMD_READ_SECTORS ? "READ SECTORS" : "READ MULTIPLE", lba, sectors, ok ? "ok" : "FAILED",
            yes_no(match));
    if (use_irq) {
        kprintf(", interrupts %u", irqs);
    }
    kprintf("\n");
    return match;
}

/* Checks the target still holds the original pattern, writes new data and reads it back. */
static int check_write(uint8_t write_cmd, uint8_t read_cmd, uint32_t lba, uint32_t sectors, uint32_t per_block)
{
    uint32_t irqs = 0, read_irqs = 0;
    int fresh = pio_in(read_cmd, lba, sectors, per_block, &read_irqs);
    fill_original(expected, lba, sectors);
    fresh = fresh && memcmp(buffer, expected, sectors * SECTOR) == 0;
    uint8_t salt = (uint8_t)(write_cmd + use_irq);
    fill_written(buffer, lba, sectors, salt);
    int written = pio_out(write_cmd, lba, sectors, per_block, &irqs);
    memset(buffer, 0, sectors * SECTOR);
    int read_back = pio_in(read_cmd, lba, sectors, per_block, &read_irqs);
    fill_written(expected, lba, sectors, salt);
    int match = read_back && memcmp(buffer, expected, sectors * SECTOR) == 0;
    kprintf("%s: %s lba %u x%u: target fresh: %s, written: %s, read back equal: %s", mode_name(),
            write_cmd == CMD_WRITE_SECTORS ? "WRITE SECTORS" : "WRITE MULTIPLE", lba, sectors, yes_no(fresh),
            yes_no(written), yes_no(match));
    if (use_irq) {
        kprintf(", interrupts %u", irqs);
    }
    kprintf("\n");
    return fresh && written && match;
}

static int check_identify(void)
{
    static uint16_t id[256];
    issue(CMD_IDENTIFY, 0, 0);
    uint8_t st = wait_step(1);
    if ((st & (ST_BSY | ST_DRQ | ST_ERR)) != ST_DRQ) {
        kprintf("%s: IDENTIFY failed, status %02x\n", mode_name(), st);
        return 0;
    }
    read_words((uint8_t *)id, SECTOR);
    disk_sectors = id[60] | ((uint32_t)id[61] << 16);
    uint8_t after = inb(ATA_ALT_STATUS) & ST_SHOWN;
    kprintf("%s: IDENTIFY: ATA device: %s, LBA supported: %s, word 47 (multiple limit) %04x, LBA28 sectors %u, "
            "status after %02x\n",
            mode_name(), yes_no((id[0] & 0x8000) == 0), yes_no((id[49] & 0x0200) != 0), id[47], disk_sectors,
            after);
    return (id[0] & 0x8000) == 0 && (id[49] & 0x0200) && disk_sectors > 0 && after == ST_DRDY;
}

static int check_set_multiple(void)
{
    issue(CMD_SET_MULTIPLE, 0, MULTIPLE);
    uint8_t st = wait_step(1) & ST_SHOWN;
    kprintf("%s: SET MULTIPLE MODE %u: status %02x\n", mode_name(), MULTIPLE, st);
    return st == ST_DRDY;
}

/*
 * QEMU aborts an LBA past the end (ABRT) where a drive reports ID not found (IDNF); both are errors,
 * so only "ABRT or IDNF and nothing else" is printed.
 */
static int check_out_of_range(void)
{
    issue(CMD_READ_SECTORS, disk_sectors, 1);
    uint8_t st = wait_step(1) & ST_SHOWN;
    uint8_t error = inb(ATA_ERROR);
    int reported = error != 0 && (error & ~(ERR_ABRT | ERR_IDNF)) == 0;
    kprintf("%s: READ SECTORS at lba %u (one past the end): status %02x, error is ABRT or IDNF: %s", mode_name(),
            disk_sectors, st, yes_no(reported));
    if (use_irq) {
        kprintf(", interrupts %u", irq_count);
    }
    kprintf("\n");
    return st == (ST_DRDY | ST_ERR) && reported;
}

static int check_flush(void)
{
    issue(CMD_FLUSH_CACHE, 0, 0);
    uint8_t st = wait_step(1) & ST_SHOWN;
    kprintf("%s: FLUSH CACHE: status %02x\n", mode_name(), st);
    return st == ST_DRDY;
}

static int run_driver(void)
{
    int failures = 0;
    failures += !check_identify();
    uint32_t last = disk_sectors - 1;
    failures += !check_read(CMD_READ_SECTORS, 0, 1, 1);
    failures += !check_read(CMD_READ_SECTORS, last, 1, 1);
    failures += !check_read(CMD_READ_SECTORS, 1000 + use_irq, 4, 1);
    failures += !check_write(CMD_WRITE_SECTORS, CMD_READ_SECTORS, 5000 + 100 * use_irq, 3, 1);
    failures += !check_set_multiple();
    failures += !check_read(CMD_READ_MULTIPLE, 2000 + use_irq, 10, MULTIPLE);
    failures += !check_write(CMD_WRITE_MULTIPLE, CMD_READ_MULTIPLE, 6000 + 100 * use_irq, 8, MULTIPLE);
    failures += !check_out_of_range();
    failures += !check_flush();
    return failures;
}

/* Software reset through SRST, as a driver does at probe time; the ATA signature must follow. */
static int check_reset(void)
{
    outb(ATA_CONTROL, CTL_SRST | CTL_NIEN);
    for (int i = 0; i < 100; i++) {
        (void)inb(ATA_ALT_STATUS);
    }
    outb(ATA_CONTROL, CTL_NIEN);
    (void)wait_not_busy();
    /* Drivers select the device again after a reset: the register file answers for the selected one. */
    outb(ATA_DEVICE, 0xA0);
    uint8_t st = wait_not_busy() & ST_SHOWN;
    kprintf("reset: status %02x, signature count/lba %02x %02x %02x %02x\n", st, inb(ATA_COUNT), inb(ATA_LBA0),
            inb(ATA_LBA1), inb(ATA_LBA2));
    return st == ST_DRDY && inb(ATA_COUNT) == 1 && inb(ATA_LBA0) == 1 && inb(ATA_LBA1) == 0 && inb(ATA_LBA2) == 0;
}

int guest_main(const struct multiboot_info *mbi)
{
    (void)mbi;
    devlib_init();
    irq_set_handler(ATA_IRQ, ata_interrupt);
    watchdog_start();
    irq_enable();
    kprintf("ata: PIO driver on the primary master\n");
    if (inb(ATA_ALT_STATUS) == 0xFF) {
        kprintf("ata: no drive on the primary channel\n");
        return 2;
    }
    if (!check_reset()) {
        /* QEMU and Twinstep read an empty channel as 00; waiting on it would only run into timeouts. */
        kprintf("ata: no ATA drive answers on the primary master (attach a disk made by make-disk.sh)\n");
        return 2;
    }
    int failures = 0;
    use_irq = 0;
    failures += run_driver();

    outb(ATA_CONTROL, 0x00);
    pic_unmask(2);
    pic_unmask(ATA_IRQ);
    use_irq = 1;
    failures += run_driver();
    outb(ATA_CONTROL, CTL_NIEN);
    pic_mask(ATA_IRQ);
    pic_mask(2);
    watchdog_stop();
    kprintf("ata: pic in-service %04x, spurious interrupts %u\n", pic_isr(), pic_spurious_count());
    kprintf("ata: %s\n", failures == 0 ? "all checks passed" : "FAILED");
    return failures == 0 ? 0 : 1;
}
