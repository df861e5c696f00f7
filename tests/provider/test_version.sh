#!/bin/bash
# test_version.sh - the provider reports the version of the build it comes
# from (meson's project version), as `openssl list -providers` shows it.
# usage: test_version.sh VERSION
. "$(dirname "$0")/lib.sh"

want=${1:?usage: test_version.sh VERSION}
tp_setup 'profile = "DEFAULT";'
expect_out "provider version $want" "    version: $want" openssl list -providers -verbose
tp_done
