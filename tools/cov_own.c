/*
 * cov_own.c - programs that carry their own TLS library, for `coverage`.
 *
 * A program can link OpenSSL statically (NodeSource's node, Python wheels
 * such as cryptography's, vendor daemons) or bring BoringSSL (Chromium,
 * Electron). Such a process maps no libcrypto.so.3 until our module brings
 * one in, so the mappings alone do not show it. Here each object mapped
 * executable in a process is looked at once per run:
 *   - exported: its .dynsym defines OPENSSL_init_crypto (the module binds to
 *     such a copy; see tlspolicy(7));
 *   - the executable, and libraries outside the system library directories
 *     (a Debian or Fedora package does not bundle OpenSSL), are searched for
 *     OpenSSL's version text ("OpenSSL 3.0.19 27 Jan 2026") or BoringSSL's
 *     ("OpenSSL 1.1.1 (compatible; BoringSSL)") in .rodata.
 * Only ELF64 files are read; nothing is executed.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cov_own.h"
#include "enable_nodejs.h"
#include "probe.h"

#define CHUNK (1 << 20)
#define MAX_DYN (64u << 20) /* bound on .dynsym + .dynstr read */

typedef struct own_file {
    char *path;
    unsigned long inode;
    cov_own res; /* found = 0: nothing of OpenSSL in it */
} own_file;

/* OPENSSL_init_crypto first; then a few the module calls that a program
 * exporting only what it linked often lacks (the module checks them all). */
static const char *const module_needs[] = {
    "OPENSSL_init_crypto", "OSSL_PROVIDER_add_builtin", "CONF_imodule_get_value",
    "X509_LOOKUP_meth_new", "X509_LOOKUP_meth_set_get_by_subject", "CRYPTO_get_ex_new_index",
};

static own_file *cache;
static size_t ncache, capcache;

static int pread_all(int fd, void *buf, size_t n, off_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, (char *)buf + got, n - got, off + (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

/* "OpenSSL 3.0.19 27 Jan 2026" or "OpenSSL 1.1.1w  11 Sep 2023" at p. */
static size_t version_text(const char *p, size_t n, int *major)
{
    size_t i = 8, dots = 0;
    if (n < 8 || memcmp(p, "OpenSSL ", 8) != 0 || i >= n || p[i] < '0' || p[i] > '9')
        return 0;
    *major = atoi(p + 8);
    while (i < n && ((p[i] >= '0' && p[i] <= '9') || p[i] == '.'))
        dots += p[i++] == '.';
    while (i < n && p[i] >= 'a' && p[i] <= 'z')
        i++;
    if (dots != 2 || i >= n || p[i] != ' ')
        return 0;
    while (i < n && p[i] == ' ')
        i++;
    /* DD Mon YYYY */
    size_t d = i;
    while (i < n && p[i] >= '0' && p[i] <= '9')
        i++;
    if (i == d || i - d > 2 || i + 9 > n || p[i] != ' ' || p[i + 4] != ' ')
        return 0;
    for (size_t k = 0; k < 4; k++)
        if (p[i + 5 + k] < '0' || p[i + 5 + k] > '9')
            return 0;
    return i + 9;
}

/* Search [off, off+size) of fd for the version texts. */
static void scan_strings(int fd, off_t off, size_t size, cov_own *r)
{
    static const char boring[] = "(compatible; BoringSSL)";
    char *buf = malloc(CHUNK + 64);
    size_t done = 0, keep = 0;
    if (buf == NULL)
        return;
    while (done < size && !r->version[0] && !r->boringssl) {
        size_t n = size - done < CHUNK ? size - done : CHUNK;
        if (pread_all(fd, buf + keep, n, off + (off_t)done) != 0)
            break;
        size_t have = keep + n;
        for (char *p = buf; (p = memmem(p, have - (size_t)(p - buf), "OpenSSL ", 8)) != NULL; p++) {
            size_t rest = have - (size_t)(p - buf);
            size_t len = version_text(p, rest, &r->major);
            if (len > 0 && len < sizeof(r->version)) {
                memcpy(r->version, p, len);
                r->version[len] = '\0';
                break;
            }
            r->major = 0;
            if (rest >= 14 + sizeof(boring) - 1 && memcmp(p + 14, boring, sizeof(boring) - 1) == 0) {
                r->boringssl = 1;
                break;
            }
        }
        done += n;
        keep = have < 64 ? have : 64; /* a text across the chunk boundary */
        memmove(buf, buf + have - keep, keep);
    }
    free(buf);
}

/* An ELF64 file open for reading: its header, section headers and section
 * names. */
typedef struct elf_file {
    int fd;
    Elf64_Ehdr eh;
    Elf64_Shdr *sh;       /* eh.e_shnum section headers */
    const Elf64_Shdr *ns; /* the section names' section */
    char *names;          /* its text, '\0'-terminated */
} elf_file;

/* Read e's header, section headers and section names. 0, or -1 if it is
 * not an ELF64 file this can read. */
static int elf_read(elf_file *e)
{
    const Elf64_Ehdr *eh = &e->eh;
    if (pread_all(e->fd, &e->eh, sizeof(e->eh), 0) != 0
        || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64
        || eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shnum == 0 || eh->e_shnum > 4096
        || eh->e_shstrndx >= eh->e_shnum)
        return -1;
    e->sh = calloc(eh->e_shnum, sizeof(*e->sh));
    if (e->sh == NULL
        || pread_all(e->fd, e->sh, eh->e_shnum * sizeof(*e->sh), (off_t)eh->e_shoff) != 0)
        return -1;
    e->ns = &e->sh[eh->e_shstrndx];
    if (e->ns->sh_size > MAX_DYN || (e->names = malloc(e->ns->sh_size + 1)) == NULL
        || pread_all(e->fd, e->names, e->ns->sh_size, (off_t)e->ns->sh_offset) != 0)
        return -1;
    e->names[e->ns->sh_size] = '\0';
    return 0;
}

/* Whether the symbol table ds (a .dynsym) with its strings ss defines
 * OPENSSL_init_crypto (r->exported) and the rest of module_needs (else
 * r->partial). */
static void scan_dynsym(const elf_file *e, const Elf64_Shdr *ds, const Elf64_Shdr *ss, cov_own *r)
{
    if (ds->sh_size > MAX_DYN || ss->sh_size > MAX_DYN)
        return;
    Elf64_Sym *sym = malloc(ds->sh_size);
    char *str = malloc(ss->sh_size + 1);
    if (sym && str && pread_all(e->fd, sym, ds->sh_size, (off_t)ds->sh_offset) == 0
        && pread_all(e->fd, str, ss->sh_size, (off_t)ss->sh_offset) == 0) {
        str[ss->sh_size] = '\0';
        unsigned have = 0;
        for (size_t k = 0; k < ds->sh_size / sizeof(*sym); k++) {
            if (sym[k].st_shndx == SHN_UNDEF || sym[k].st_name >= ss->sh_size)
                continue;
            for (size_t m = 0; m < sizeof(module_needs) / sizeof(module_needs[0]); m++)
                if (strcmp(str + sym[k].st_name, module_needs[m]) == 0)
                    have |= 1u << m;
        }
        if (have & 1u) {
            r->exported = 1;
            r->partial = have != (1u << (sizeof(module_needs) / sizeof(module_needs[0]))) - 1;
        }
    }
    free(sym);
    free(str);
}

/* What of OpenSSL the file at path carries: exported symbols, and (with
 * strings, or when exported) the version text in .rodata. */
static void scan_file(const char *path, int strings, cov_own *r)
{
    elf_file e;
    memset(&e, 0, sizeof(e));
    e.fd = open(path, O_RDONLY | O_CLOEXEC);

    memset(r, 0, sizeof(*r));
    if (e.fd < 0)
        return;
    if (elf_read(&e) != 0)
        goto out;
    const Elf64_Shdr *sh = e.sh;
    unsigned shnum = e.eh.e_shnum;
    for (unsigned i = 0; i < shnum && !r->exported; i++)
        if (sh[i].sh_type == SHT_DYNSYM && sh[i].sh_link < shnum)
            scan_dynsym(&e, &sh[i], &sh[sh[i].sh_link], r);
    if (strings || r->exported)
        for (unsigned i = 0; i < shnum; i++)
            if (sh[i].sh_name < e.ns->sh_size && strcmp(e.names + sh[i].sh_name, ".rodata") == 0
                && sh[i].sh_type == SHT_PROGBITS)
                scan_strings(e.fd, (off_t)sh[i].sh_offset, sh[i].sh_size, r);
    r->found = r->exported || r->version[0] || r->boringssl;
    if (r->found)
        snprintf(r->file, sizeof(r->file), "%s", path);
out:
    free(e.names);
    free(e.sh);
    close(e.fd);
}

/* A library in a system library directory comes from the distribution. */
static int system_lib(const char *path)
{
    static const char *const dirs[] = {"/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/",
                                       "/usr/lib/x86_64-linux-gnu/", "/lib/x86_64-linux-gnu/",
                                       "/usr/lib/aarch64-linux-gnu/", "/lib/aarch64-linux-gnu/"};
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) + 1 : 0;
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        if (strlen(dirs[i]) == dl && strncmp(path, dirs[i], dl) == 0)
            return 1;
    return strncmp(path, "/usr/lib/x86_64-linux-gnu/", 26) == 0;
}

static const cov_own *lookup(const char *path, unsigned long inode, int strings)
{
    for (size_t i = 0; i < ncache; i++)
        if (cache[i].inode == inode && strcmp(cache[i].path, path) == 0)
            return &cache[i].res;
    if (ncache == capcache) {
        size_t cap = capcache ? capcache * 2 : 64;
        own_file *v = realloc(cache, cap * sizeof(*v));
        if (v == NULL)
            return NULL;
        cache = v;
        capcache = cap;
    }
    own_file *f = &cache[ncache];
    f->path = cli_join(path, "");
    f->inode = inode;
    scan_file(path, strings, &f->res);
    ncache++;
    return &f->res;
}

void cov_own_scan(int pid, cov_own *own)
{
    char path[64], exe[512] = "", line[4096];
    memset(own, 0, sizeof(*own));
    snprintf(path, sizeof(path), "/proc/%d/exe", pid);
    ssize_t n = readlink(path, exe, sizeof(exe) - 1);
    exe[n > 0 ? n : 0] = '\0';
    snprintf(path, sizeof(path), "/proc/%d/maps", pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return;
    while (fgets(line, sizeof(line), f)) {
        char perms[8];
        unsigned long inode;
        int off = 0;
        if (sscanf(line, "%*s %7s %*s %*s %lu %n", perms, &inode, &off) < 2 || off == 0
            || strchr(perms, 'x') == NULL || line[off] != '/')
            continue;
        char *p = line + off;
        p[strcspn(p, "\n")] = '\0';
        const char *base = strrchr(p, '/') + 1;
        if (strncmp(base, "libcrypto.so", 12) == 0 || strncmp(base, "libssl.so", 9) == 0
            || strncmp(base, "tlspolicy", 9) == 0 || strstr(p, " (deleted)"))
            continue;
        /* Reading the executable through /proc/PID/exe works across mount
         * namespaces; libraries by their path. */
        int is_exe = strcmp(p, exe) == 0;
        char pexe[64];
        snprintf(pexe, sizeof(pexe), "/proc/%d/exe", pid);
        const cov_own *r = lookup(is_exe ? pexe : p, inode, is_exe || !system_lib(p));
        if (r && r->found && (!own->found || (r->exported && !own->exported))) {
            *own = *r;
            snprintf(own->file, sizeof(own->file), "%s", p);
        }
    }
    fclose(f);
}

void cov_own_free_cache(void)
{
    for (size_t i = 0; i < ncache; i++)
        free(cache[i].path);
    free(cache);
    cache = NULL;
    ncache = capcache = 0;
}

const char *cov_node_reason(const char *exe, const char *cnf, char *buf, size_t len)
{
    const char *base = strrchr(exe, '/');
    base = base ? base + 1 : exe;
    if (strcmp(base, "node") != 0 && strcmp(base, "nodejs") != 0)
        return NULL;
    char *v = nodejs_conf_value(cnf);
    conf_scan cs;
    conf_scan_load(&cs, cnf);
    if (v == NULL)
        snprintf(buf, len, "Node.js reads nodejs_conf, which %s does not set (`tlspolicy enable`"
                 " sets it; or run node with --openssl-shared-config)", cnf);
    else if (cs.init_sect == NULL || strcmp(v, cs.init_sect) != 0 || cs.entry == NULL)
        snprintf(buf, len, "Node.js reads nodejs_conf = %s in %s, a section that does not load"
                 " tlspolicy", v, cnf);
    else
        snprintf(buf, len, "Node.js reads nodejs_conf = %s, which loads tlspolicy now:"
                 " started before the wiring, or with its own --openssl-config", v);
    free(v);
    conf_scan_free(&cs);
    return buf;
}

const char *cov_own_classify(const cov_own *own, int module, const char *exe, const char *cnf,
                             char *reason, size_t len)
{
    const char *ver = own->version[0] ? own->version : "OpenSSL, version unknown";
    char node[512];
    int in_exe = strcmp(own->file, exe) == 0;

    if (own->boringssl) {
        snprintf(reason, len, "its own BoringSSL (in %s): not reached by the policy", own->file);
        return "other";
    }
    if (own->major != 0 && own->major != 3) {
        snprintf(reason, len, "its own %s (in %s): the policy is for OpenSSL 3", ver, own->file);
        return "other";
    }
    if (own->exported && own->partial) {
        snprintf(reason, len, "its own %s (in %s) is exported only in part: the module cannot"
                 " bind to all of it and stands back (see the log)", ver, own->file);
        return "uncovered";
    }
    if (own->exported && module)
        return "covered"; /* the module binds to an exported copy */
    if (own->exported) {
        if (cov_node_reason(exe, cnf, node, sizeof(node)))
            snprintf(reason, len, "%s; its own %s", node, ver);
        else
            snprintf(reason, len, "its own %s (in %s) did not load the module: configuration"
                     " skipped, or another openssl.cnf", ver, own->file);
        return "uncovered";
    }
    if (module && !in_exe) {
        snprintf(reason, len, "libcrypto.so.3 is covered, but %s carries its own %s, not"
                 " exported: the policy does not reach that copy", own->file, ver);
        return "covered";
    }
    if (module)
        snprintf(reason, len, "two copies: the module's calls reach libcrypto.so.3, not the %s"
                 " inside %s, which is not exported; the module stood back (see the log)",
                 ver, own->file);
    else
        snprintf(reason, len, "its own %s inside %s, not exported: the module cannot bind to it",
                 ver, own->file);
    return "uncovered";
}
