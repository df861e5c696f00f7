/*
 * module_bind.h - the OpenSSL copy the module's calls reach (module_bind.c).
 * No OpenSSL header here: module.c includes this.
 */
#ifndef MODULE_BIND_H
#define MODULE_BIND_H

/* The file of the object that defines the libcrypto functions the module
 * calls (libcrypto.so.3, or a program's own copy, e.g. /usr/bin/node). */
const char *tpm_bind_object(void);
/* 1 if that object is not a libcrypto.so file: the program's own OpenSSL. */
int tpm_bind_own(void);
/* Its load address (dladdr's dli_fbase), or NULL. */
const void *tpm_bind_base(void);
/* 1 if the code at `caller` (a return address into the OpenSSL that called
 * an entry point of ours) is in the same object, and that copy is 3.x;
 * otherwise logs once, naming `what` and both objects, and returns 0. */
int tpm_bind_check(const void *caller, const char *what);

#endif
