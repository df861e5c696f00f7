# Sourced by scripts that fetch from the Debian archive (openssl35.sh,
# tests/packaging/test_deb.sh): the archive they use is the one this
# machine's apt already uses, so no host is written into the repository and
# a machine with a local mirror works unchanged.
#
#   apt_mirror          URI of the main archive (a suite not ending -security)
#   apt_mirror security URI of the security archive (a suite ending -security)
#
# Prints the first matching URI (no trailing '/') and returns 0, or prints
# nothing and returns 1. Reads $TP_APT_ETC (default /etc/apt): sources.list
# and sources.list.d/*.list (one-line `deb [opts] URI suite comp...`), then
# sources.list.d/*.sources (deb822 stanzas: Types, URIs, Suites, Enabled).
# cdrom: sources are passed over.
apt_mirror() {
    _am_etc=${TP_APT_ETC:-/etc/apt}
    set -- "${1:-main}"
    for _am_f in "$_am_etc"/sources.list "$_am_etc"/sources.list.d/*.list \
                 "$_am_etc"/sources.list.d/*.sources; do
        [ -f "$_am_f" ] && set -- "$@" "$_am_f"
    done
    _am_want=$1
    shift
    [ $# -gt 0 ] || return 1
    awk -v want="$_am_want" '
    function pick(uri, suite) {
        if (uri ~ /^cdrom:/) return 0
        if ((want == "security") != (suite ~ /-security$/)) return 0
        sub(/\/+$/, "", uri)
        print uri
        found = 1
        exit 0
    }
    function stanza(   n, i, j, u, s, nu, ns) {
        if (types ~ /(^|[ \t])deb(-src)?([ \t]|$)/ && tolower(enabled) != "no") {
            nu = split(uris, u, /[ \t]+/)
            ns = split(suites, s, /[ \t]+/)
            for (i = 1; i <= nu; i++)
                for (j = 1; j <= ns; j++)
                    if (u[i] != "" && s[j] != "") pick(u[i], s[j])
        }
        types = uris = suites = enabled = field = ""
    }
    FNR == 1 { if (deb822) stanza(); deb822 = FILENAME ~ /\.sources$/ }
    /^[ \t]*#/ { next }
    !deb822 {
        sub(/#.*/, "")
        if ($1 != "deb" && $1 != "deb-src") next
        i = 2
        if ($2 ~ /^\[/) {                 # [ option=value ... ]
            while (i <= NF && $i !~ /\]$/) i++
            i++
        }
        if (i + 1 <= NF) pick($i, $(i + 1))
        next
    }
    /^[ \t]*$/ { stanza(); next }
    /^[ \t]/ {                            # continuation of the last field
        if (field == "uris") uris = uris " " $0
        else if (field == "suites") suites = suites " " $0
        next
    }
    {
        name = tolower($1); sub(/:$/, "", name)
        value = $0; sub(/^[^:]*:[ \t]*/, "", value)
        field = name
        if (name == "types") types = value
        else if (name == "uris") uris = value
        else if (name == "suites") suites = value
        else if (name == "enabled") enabled = value
    }
    END { if (!found && deb822) stanza(); exit found ? 0 : 1 }
    ' "$@" 2>/dev/null
}
