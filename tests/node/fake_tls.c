/*
 * fake_tls - a program whose .rodata carries a TLS library's version text
 * (FAKE_TLS_TEXT, set by meson.build) and nothing else of it: what
 * `coverage` sees of a program with BoringSSL (Electron, Chromium) or its
 * own OpenSSL 1.1 linked in. Prints "ready", then waits 60 s.
 */
#include <stdio.h>
#include <unistd.h>

const char fake_tls_text[] = FAKE_TLS_TEXT;

int main(void)
{
    printf("ready %s\n", fake_tls_text);
    fflush(stdout);
    sleep(60);
    return 0;
}
