/*
 * module_bind.c - which OpenSSL the module is bound to, and whether that is
 * the OpenSSL that called it.
 *
 * tlspolicy.so links libcrypto.so.3, but the dynamic linker binds its
 * libcrypto references to the first object in the global scope that
 * defines them. In a program that carries its own OpenSSL and exports its
 * symbols from the executable (NodeSource's node, OpenSSL linked
 * statically) that is the executable: the module, its provider and its
 * libssl hooks all act on the program's own copy, and the libcrypto.so.3
 * pulled in as our dependency is mapped but never called. A program whose
 * own copy is *not* exported (or is OpenSSL 1.1, whose symbols do not
 * satisfy our versioned references) would hand us its CONF structures while
 * our calls reach libcrypto.so.3: the state would be split between two
 * copies. That is refused here: one log line, nothing installed.
 */
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include "module_bind.h"
#include "tp_module.h"

static pthread_once_t bind_once = PTHREAD_ONCE_INIT;
static Dl_info bind_info; /* the object our libcrypto references reach */
static int bind_found;
static int bind_own;      /* that object is not a libcrypto.so file */
static char bind_name[4096]; /* its file; the executable's by /proc/self/exe */

/* The file of an object dladdr1 found (dladdr names the executable by
 * argv[0]). */
static void lm_name(const struct link_map *lm, const Dl_info *info, char *buf, size_t len)
{
    ssize_t n;

    snprintf(buf, len, "?");
    if (lm != NULL && lm->l_name != NULL && *lm->l_name != '\0') {
        snprintf(buf, len, "%s", lm->l_name);
    } else if ((n = readlink("/proc/self/exe", buf, len - 1)) > 0) {
        buf[n] = '\0';
    } else if (info->dli_fname != NULL) {
        snprintf(buf, len, "%s", info->dli_fname);
    }
}

/* The file of the object at `addr`. */
static void obj_name(const void *addr, char *buf, size_t len)
{
    struct link_map *lm = NULL;
    Dl_info info;

    if (dladdr1(addr, &info, (void **)&lm, RTLD_DL_LINKMAP) == 0)
        snprintf(buf, len, "?");
    else
        lm_name(lm, &info, buf, len);
}

static const char *bind_split; /* a function of ours that reaches another object */
static const void *bind_id;    /* obj_id() of the object our calls reach */

/*
 * Which loaded object holds `addr`: the object's program headers, as
 * dl_iterate_phdr reports them (one per object), or NULL. Cheap next to
 * dladdr, which also scans the object's symbol table for the nearest
 * symbol (about 0.27M instructions per call into libcrypto.so.3): this runs
 * at every config module and provider init and finish.
 */
struct obj_find {
    uintptr_t addr;
    const void *id;
};

static int obj_find_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    struct obj_find *f = arg;
    int i;

    (void)size;
    for (i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;

        if (ph->p_type == PT_LOAD && f->addr >= start && f->addr - start < ph->p_memsz) {
            f->id = info->dlpi_phdr;
            return 1;
        }
    }
    return 0;
}

static const void *obj_id(const void *addr)
{
    struct obj_find f = { (uintptr_t)addr, NULL };

    dl_iterate_phdr(obj_find_cb, &f);
    return f.id;
}

/* d_ptr of a dynamic entry as an address (glibc relocates some in place). */
static const void *dyn_addr(const struct link_map *lm, ElfW(Addr) p)
{
    return (const void *)(p < lm->l_addr ? p + lm->l_addr : p);
}

/* Number of dynamic symbols, from the GNU hash table: the highest index a
 * chain reaches, plus one (undefined symbols come before symoffset). */
static size_t gnu_hash_nsyms(const uint32_t *h)
{
    uint32_t nbuckets = h[0], symoffset = h[1], bloom = h[2], i, max = 0;
    const uint32_t *buckets = h + 4 + bloom * (sizeof(ElfW(Addr)) / 4);
    const uint32_t *chain = buckets + nbuckets;

    for (i = 0; i < nbuckets; i++)
        if (buckets[i] > max)
            max = buckets[i];
    if (max < symoffset)
        return symoffset;
    while (!(chain[max - symoffset] & 1))
        max++;
    return max + 1;
}

/*
 * A program that exports only the part of its own copy it linked (static
 * libcrypto.a, -rdynamic) sends the rest of our calls to libcrypto.so.3.
 * Every OpenSSL function this module imports (our .dynsym: undefined, with
 * an OPENSSL_* version) must resolve, in our own lookup scope, to the same
 * object as OpenSSL_version_num. Run only for a program's own copy.
 */
static void bind_check_all(void)
{
    static char name_buf[64];
    const ElfW(Sym) *sym = NULL;
    const ElfW(Half) *versym = NULL;
    const ElfW(Verneed) *vn = NULL;
    const uint32_t *gnu_hash = NULL;
    const char *str = NULL;
    const ElfW(Dyn) *d;
    struct link_map *lm = NULL;
    const char *vername[256] = { NULL };
    size_t i, n = 0;
    Dl_info self;

    if (dladdr1(&bind_found, &self, (void **)&lm, RTLD_DL_LINKMAP) == 0 || lm == NULL)
        return;
    for (d = lm->l_ld; d->d_tag != DT_NULL; d++) {
        switch (d->d_tag) {
        case DT_SYMTAB: sym = dyn_addr(lm, d->d_un.d_ptr); break;
        case DT_STRTAB: str = dyn_addr(lm, d->d_un.d_ptr); break;
        case DT_VERSYM: versym = dyn_addr(lm, d->d_un.d_ptr); break;
        case DT_VERNEED: vn = dyn_addr(lm, d->d_un.d_ptr); break;
        case DT_GNU_HASH: gnu_hash = dyn_addr(lm, d->d_un.d_ptr); break;
        case DT_HASH: n = ((const uint32_t *)dyn_addr(lm, d->d_un.d_ptr))[1]; break;
        }
    }
    if (sym == NULL || str == NULL || versym == NULL || vn == NULL)
        return;
    if (n == 0 && gnu_hash != NULL)
        n = gnu_hash_nsyms(gnu_hash);
    for (;;) { /* the versions we need whose name is OPENSSL_* */
        const ElfW(Vernaux) *a = (const void *)((const char *)vn + vn->vn_aux);

        for (i = 0; i < vn->vn_cnt; i++) {
            if (strncmp(str + a->vna_name, "OPENSSL_", 8) == 0 && a->vna_other < 256)
                vername[a->vna_other] = str + a->vna_name;
            a = (const void *)((const char *)a + a->vna_next);
        }
        if (vn->vn_next == 0)
            break;
        vn = (const void *)((const char *)vn + vn->vn_next);
    }
    for (i = 1; i < n && bind_split == NULL; i++) {
        const char *ver = vername[versym[i] & 0x7fff & 0xff];
        Dl_info where;
        void *addr;

        if (sym[i].st_shndx != SHN_UNDEF || (versym[i] & 0x7fff) >= 256 || ver == NULL)
            continue;
        addr = dlsym(RTLD_DEFAULT, str + sym[i].st_name); /* dlvsym would skip unversioned exports */
        if (addr == NULL || dladdr(addr, &where) == 0 || where.dli_fbase != bind_info.dli_fbase) {
            snprintf(name_buf, sizeof(name_buf), "%s", str + sym[i].st_name);
            bind_split = name_buf;
        }
    }
}

static void bind_resolve(void)
{
    unsigned long (*fn)(void) = OpenSSL_version_num;
    const char *base;
    void *addr;
    struct link_map *lm = NULL;

    memcpy(&addr, &fn, sizeof(addr));
    /* one dladdr1 for the object and its file (each call scans the
     * object's symbols) */
    if (dladdr1(addr, &bind_info, (void **)&lm, RTLD_DL_LINKMAP) == 0
        || bind_info.dli_fname == NULL)
        return;
    bind_found = 1;
    bind_id = obj_id(addr);
    lm_name(lm, &bind_info, bind_name, sizeof(bind_name));
    base = strrchr(bind_name, '/');
    base = base != NULL ? base + 1 : bind_name;
    bind_own = strncmp(base, "libcrypto.so", 12) != 0;
    if (bind_own)
        bind_check_all();
}

const char *tpm_bind_object(void)
{
    pthread_once(&bind_once, bind_resolve);
    if (!bind_found)
        return NULL;
    return bind_name;
}

int tpm_bind_own(void)
{
    pthread_once(&bind_once, bind_resolve);
    return bind_found && bind_own;
}

const void *tpm_bind_base(void)
{
    pthread_once(&bind_once, bind_resolve);
    return bind_found ? bind_info.dli_fbase : NULL;
}

int tpm_bind_check(const void *caller, const char *what)
{
    static int warned_split, told_own; /* once per process */
    char cname[4096];
    const char *bound = tpm_bind_object();
    const void *cid = caller != NULL ? obj_id(caller) : NULL;

    if (bound == NULL || cid == NULL || bind_id == NULL)
        return 1; /* nothing to compare with: behave as before */
    if (cid != bind_id) {
        obj_name(caller, cname, sizeof(cname));
        if (!__atomic_exchange_n(&warned_split, 1, __ATOMIC_ACQ_REL))
            tpm_log(LOG_ERR, "split",
                    "%s was called by the OpenSSL inside %s, but the module's calls reach"
                    " %s: two copies of OpenSSL in one process; the module does nothing for"
                    " the copy in %s (see tlspolicy(7), programs with their own OpenSSL)",
                    what, cname, bound, cname);
        return 0;
    }
    if (bind_split != NULL) {
        if (!__atomic_exchange_n(&warned_split, 1, __ATOMIC_ACQ_REL))
            tpm_log(LOG_ERR, "split",
                    "the OpenSSL inside %s exports only part of itself (%s reaches another"
                    " copy): two copies of OpenSSL in one process; the module does nothing"
                    " for it", bound, bind_split);
        return 0;
    }
    /* The major version is part of the soname for libcrypto.so.3; an own
     * copy that satisfied our versioned references is 3.x, say so anyway. */
    if (bind_own && (OpenSSL_version_num() >> 28) != OPENSSL_VERSION_MAJOR) {
        if (!__atomic_exchange_n(&warned_split, 1, __ATOMIC_ACQ_REL))
            tpm_log(LOG_ERR, "split", "the OpenSSL inside %s is %s, not %d.x: the module does"
                    " nothing for it", bound, OpenSSL_version(OPENSSL_VERSION),
                    OPENSSL_VERSION_MAJOR);
        return 0;
    }
    if (bind_own && !__atomic_exchange_n(&told_own, 1, __ATOMIC_ACQ_REL))
        tpm_log(LOG_DEBUG, "own",
                "%s is the program's own OpenSSL (%s): the config module, the provider and"
                " the libssl hooks are bound there", bound, OpenSSL_version(OPENSSL_VERSION));
    return 1;
}
