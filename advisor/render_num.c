/* advisor/render_num.c - numbers as the report writes and says them.
 *
 * Rendering writes hundreds of numbers, and printf's float path dominated its cost: integers and
 * values with a few decimals are formatted here by hand, with the same text printf would give.
 */
#include "render_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>


/* Formats 'v' rounded to 'dec' decimals (0-3, trailing zeros dropped), optionally with thousands
 * separators, into 's' (48 bytes). Returns the length, or 0 when out of range (use printf).
 * Rendering writes hundreds of numbers, and printf's float path dominated its cost. */
size_t
fixed_str_(char *s, double v, int dec, int grouped)
{
    static const double scales[] = {1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    double scale = scales[dec];
    double r = round(v * scale);
    if (!(fabs(r) < 9e15)) return 0;
    long long n = (long long)r;
    size_t o = 0;
    if (n < 0) {
        s[o++] = '-';
        n = -n;
    }
    long long whole = n / (long long)scale, frac = n % (long long)scale;
    char digits[24];
    int len = 0;
    do {
        digits[len++] = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole);
    for (int i = len - 1; i >= 0; i--) {
        s[o++] = digits[i];
        if (grouped && i > 0 && i % 3 == 0) s[o++] = ',';
    }
    if (frac) {
        char f[10];
        for (int i = dec - 1; i >= 0; i--) {
            f[i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        int keep = dec;
        while (keep > 0 && f[keep - 1] == '0') keep--;
        s[o++] = '.';
        for (int i = 0; i < keep; i++) s[o++] = f[i];
    }
    s[o] = '\0';
    return o;
}

void
put_grouped_(struct buf *out, double v)
{
    char s[48];
    size_t n = fixed_str_(s, v, 0, 1);
    if (n) buf_append(out, s, n);
    else
        buf_fmt_(out, "%.0f", v);
}

void
put_fixed_(struct buf *out, double v, int dec, int grouped)
{
    char s[48];
    size_t n = fixed_str_(s, v, dec, grouped);
    if (n) buf_append(out, s, n);
    else
        buf_fmt_(out, "%.*f", dec, v);
}

void
fmt_num_(struct buf *out, double v)
{
    double a = fabs(v);
    if (a >= 100 || a == floor(a)) put_grouped_(out, v);
    else if (a >= 10)
        put_fixed_(out, v, 1, 0);
    else if (a >= 1)
        put_fixed_(out, v, 2, 0);
    else if (a >= 0.01)
        put_fixed_(out, v, 3, 0);
    else
        buf_fmt_(out, "%.3g", v);
}

const char *
fmt_num_arena_(struct analysis *an, double v)
{
    struct buf b;
    buf_init(&b);
    fmt_num_(&b, v);
    const char *s = arena_strdup_(&an->ar, b.data);
    buf_fini(&b);
    return s;
}

void
fmt_usd_(struct buf *out, double v)
{
    if (!isfinite(v)) {
        buf_puts(out, "an unknown amount");
        return;
    }
    buf_putc(out, '$');
    if (fabs(v) >= 100) {
        put_grouped_(out, round(v));
    } else {
        /* Always two decimals for cents: $12.50. */
        long long c = (long long)round(fabs(v) * 100);
        char s[24];
        snprintf(s, sizeof(s), "%s%lld.%02lld", v < 0 ? "-" : "", c / 100, c % 100);
        buf_puts(out, s);
    }
}

const char *
short_name_(struct analysis *an, const char *name)
{
    size_t n = strcspn(name, "(;:");
    while (n && name[n - 1] == ' ') n--;
    return arena_strndup_(&an->ar, name, n);
}

/* Money as people say it: "about 1,900 dollars", "about 12 thousand dollars". */
void
spoken_usd_(struct buf *out, double v)
{
    if (v < 10) {
        buf_puts(out, "under 10 dollars");
    } else if (v < 1000) {
        buf_puts(out, "about ");
        put_grouped_(out, round(v / 10) * 10);
        buf_puts(out, " dollars");
    } else if (v < 10000) {
        buf_puts(out, "about ");
        put_grouped_(out, round(v / 100) * 100);
        buf_puts(out, " dollars");
    } else if (v < 1e6) {
        buf_fmt_(out, "about %.0f thousand dollars", round(v / 1000));
    } else {
        buf_fmt_(out, "about %.1f million dollars", round(v / 1e5) / 10);
    }
}

/* "1 second", "5 seconds", "2 minutes": the count, then the unit, singular for one. */
static void
count_of(struct buf *out, double n, const char *unit)
{
    put_grouped_(out, n);
    buf_fmt_(out, " %s%s", unit, n == 1 ? "" : "s");
}

void
spoken_duration_(struct buf *out, double s)
{
    if (s < 1) buf_puts(out, "under a second");
    else if (s < 120)
        count_of(out, round(s), "second");
    else if (s < 3600 || (s < 7200 && fmod(s, 3600) != 0))
        count_of(out, round(s / 60), "minute");
    else if (s < 172800)
        count_of(out, round(s / 3600), "hour");
    else
        count_of(out, round(s / 86400), "day");
}

void
put_days_(struct buf *b, double days)
{
    if (isfinite(days) && days >= 365 && fmod(days, 365) < 1)
        count_of(b, round(days / 365), "year");
    else if (isfinite(days))
        count_of(b, round(days), "day");
    else
        buf_puts(b, "an unknown time");
}

void
put_hours_(struct buf *b, double hours)
{
    if (!isfinite(hours)) buf_puts(b, "an unknown time");
    else if (hours < 1)
        count_of(b, fmax(1, round(hours * 60)), "minute");
    else if (hours < 72)
        count_of(b, round(hours), "hour");
    else
        count_of(b, round(hours / 24), "day");
}

void
put_bytes_(struct buf *b, double gb, int spoken)
{
    static const char *const word[] = {"megabytes", "gigabytes", "terabytes", "petabytes"};
    static const char *const sym[] = {"MB", "GB", "TB", "PB"};
    int u = 1;
    if (!isfinite(gb)) {
        buf_puts(b, "an unknown amount");
        return;
    }
    if (gb < 1) {
        gb *= 1000;
        u = 0;
    }
    while (u < 3 && gb >= 1000) {
        gb /= 1000;
        u++;
    }
    double scale = gb >= 10 ? 1 : 10;
    if (gb >= 100) scale = 0.1;
    put_fixed_(b, round(gb * scale) / scale, 1, 0);
    buf_putc(b, ' ');
    buf_puts(b, spoken ? word[u] : sym[u]);
}

void
cat_(struct buf *b, ...)
{
    va_list ap;
    va_start(ap, b);
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *)) buf_puts(b, s);
    va_end(ap);
}

void
put_price_(struct buf *b, double v)
{
    char s[48];
    size_t n = 0;
    if (isfinite(v) && fabs(v) < 1e6 && fabs(v) >= 1e-6)
        n = fixed_str_(s, v, fabs(v) < 1e-3 ? 9 : 6, 0);
    if (n) buf_append(b, s, n);
    else
        buf_fmt_(b, "%g", v);
}
