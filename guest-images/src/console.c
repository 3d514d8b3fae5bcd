/* console.c: output on COM1 (a 16550), polled, and the isa-debug-exit port that ends the run. */
#include "kernel.h"

#define COM1 0x3f8

void console_init(void)
{
    outb(COM1 + 1, 0x00); /* no interrupts */
    outb(COM1 + 3, 0x80); /* DLAB */
    outb(COM1 + 0, 0x01); /* 115200 */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8N1 */
    outb(COM1 + 2, 0xC7); /* FIFOs on and cleared */
    outb(COM1 + 4, 0x03); /* DTR, RTS */
}

void putc_raw(char c)
{
    while (!(inb(COM1 + 5) & 0x20))
        ;
    outb(COM1, (u8)c);
}
void puts(const char *s) { while (*s) putc_raw(*s++); }
void putu(u64 v, unsigned base, int width, char pad)
{
    char buf[24];
    int n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    while (n < width) buf[n++] = pad;
    while (n) putc_raw(buf[--n]);
}
void printf(const char *f, ...)
{
    __builtin_va_list ap;
    __builtin_va_start(ap, f);
    for (; *f; f++) {
        if (*f != '%') { putc_raw(*f); continue; }
        f++;
        char pad = ' ';
        int width = 0, lng = 0;
        if (*f == '0') { pad = '0'; f++; }
        while (*f >= '0' && *f <= '9') width = width * 10 + (*f++ - '0');
        while (*f == 'l') { lng = 1; f++; }
        switch (*f) {
        case 's': { const char *s = __builtin_va_arg(ap, const char *); puts(s ? s : "(null)"); break; }
        case 'c': putc_raw((char)__builtin_va_arg(ap, int)); break;
        case 'd': {
            long v = lng ? __builtin_va_arg(ap, long) : __builtin_va_arg(ap, int);
            if (v < 0) { putc_raw('-'); v = -v; }
            putu((u64)v, 10, width, pad);
            break;
        }
        case 'u': putu(lng ? __builtin_va_arg(ap, u64) : __builtin_va_arg(ap, u32), 10, width, pad); break;
        case 'x': putu(lng ? __builtin_va_arg(ap, u64) : __builtin_va_arg(ap, u32), 16, width, pad); break;
        case '%': putc_raw('%'); break;
        default: putc_raw('%'); putc_raw(*f); break;
        }
    }
    __builtin_va_end(ap);
}

void do_exit(u32 status)
{
    outl(0xf4, status);
    for (;;) __asm__ volatile("cli; hlt");
}
