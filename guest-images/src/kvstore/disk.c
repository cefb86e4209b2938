/*
 * Polled ATA PIO on the primary master, following the ata guest's driver: software reset, IDENTIFY,
 * READ/WRITE SECTORS one sector at a time and FLUSH CACHE. Interrupts stay off (nIEN) because
 * the service waits for every write anyway before it answers.
 */
#include "kvstore.h"

#define ATA_DATA 0x1F0
#define ATA_COUNT 0x1F2
#define ATA_LBA0 0x1F3
#define ATA_LBA1 0x1F4
#define ATA_LBA2 0x1F5
#define ATA_DEVICE 0x1F6
#define ATA_STATUS 0x1F7
#define ATA_COMMAND 0x1F7
#define ATA_CONTROL 0x3F6
#define ATA_ALT_STATUS 0x3F6

#define ST_BSY 0x80
#define ST_DRDY 0x40
#define ST_DF 0x20
#define ST_DRQ 0x08
#define ST_ERR 0x01
#define CTL_NIEN 0x02
#define CTL_SRST 0x04

#define CMD_READ_SECTORS 0x20
#define CMD_WRITE_SECTORS 0x30
#define CMD_FLUSH_CACHE 0xE7
#define CMD_IDENTIFY 0xEC
#define SPIN_LIMIT 100000000u
#define RESET_SPIN_LIMIT 1000000u

static uint8_t wait_not_busy(void)
{
    for (uint32_t i = 0; i < SPIN_LIMIT; i++) {
        uint8_t st = inb(ATA_ALT_STATUS);
        if ((st & ST_BSY) == 0) {
            return inb(ATA_STATUS);
        }
    }
    return 0xFF;
}

static void issue(uint8_t command, uint32_t lba, uint8_t count)
{
    outb(ATA_DEVICE, (uint8_t)(0xE0 | ((lba >> 24) & 0x0F)));
    outb(ATA_COUNT, count);
    outb(ATA_LBA0, (uint8_t)lba);
    outb(ATA_LBA1, (uint8_t)(lba >> 8));
    outb(ATA_LBA2, (uint8_t)(lba >> 16));
    outb(ATA_COMMAND, command);
}

uint32_t disk_init(void)
{
    static uint16_t id[256];
    if (inb(ATA_ALT_STATUS) == 0xFF) {
        return 0;
    }
    outb(ATA_CONTROL, CTL_SRST | CTL_NIEN);
    for (int i = 0; i < 100; i++) {
        (void)inb(ATA_ALT_STATUS);
    }
    outb(ATA_CONTROL, CTL_NIEN);
    /*
     * QEMU finishes a software reset later, in a bottom half, and ignores a device select while the
     * drive is busy; the firmware may also have left the (absent) slave selected, which reads as 00.
     * So select the master again until it reports ready.
     */
    uint8_t st0 = 0xFF;
    for (uint32_t i = 0; i < RESET_SPIN_LIMIT; i++) {
        outb(ATA_DEVICE, 0xA0);
        st0 = inb(ATA_ALT_STATUS);
        if ((st0 & (ST_BSY | ST_DRDY)) == ST_DRDY) {
            break;
        }
    }
    (void)inb(ATA_STATUS);
    if ((st0 & (ST_BSY | ST_DRDY)) != ST_DRDY || inb(ATA_COUNT) != 1 || inb(ATA_LBA0) != 1 || inb(ATA_LBA1) != 0) {
        kprintf("kvstore: no ATA signature after reset (status %02x)\n", st0);
        return 0;
    }
    issue(CMD_IDENTIFY, 0, 0);
    uint8_t st = wait_not_busy();
    if ((st & (ST_BSY | ST_DRQ | ST_ERR)) != ST_DRQ) {
        kprintf("kvstore: IDENTIFY failed (status %02x)\n", st);
        return 0;
    }
    uint16_t *dst = id;
    uint32_t words = 256;
    __asm__ volatile("rep insw" : "+D"(dst), "+c"(words) : "d"(ATA_DATA) : "memory");
    if ((id[49] & 0x0200) == 0) {
        return 0; /* no LBA */
    }
    return id[60] | ((uint32_t)id[61] << 16);
}

int disk_read(uint32_t lba, uint8_t *buf)
{
    issue(CMD_READ_SECTORS, lba, 1);
    uint8_t st = wait_not_busy();
    if ((st & (ST_BSY | ST_DRQ | ST_ERR)) != ST_DRQ) {
        return 0;
    }
    uint32_t words = SECTOR_SIZE / 2;
    __asm__ volatile("rep insw" : "+D"(buf), "+c"(words) : "d"(ATA_DATA) : "memory");
    return 1;
}

int disk_write(uint32_t lba, const uint8_t *buf)
{
    issue(CMD_WRITE_SECTORS, lba, 1);
    uint8_t st = wait_not_busy();
    if ((st & (ST_BSY | ST_DRQ | ST_ERR)) != ST_DRQ) {
        return 0;
    }
    uint32_t words = SECTOR_SIZE / 2;
    __asm__ volatile("rep outsw" : "+S"(buf), "+c"(words) : "d"(ATA_DATA) : "memory");
    st = wait_not_busy();
    return (st & (ST_BSY | ST_DRQ | ST_ERR | ST_DF)) == 0;
}

int disk_flush(void)
{
    issue(CMD_FLUSH_CACHE, 0, 0);
    uint8_t st = wait_not_busy();
    return (st & (ST_BSY | ST_DRQ | ST_ERR | ST_DF)) == 0;
}
