#!/bin/sh
# The Debian package: CPack builds it from this build tree, `dpkg -i` installs it on this
# machine, systemd-analyze accepts its unit (and rates its hardening), and its files are
# where the contract and README say. Installing needs root: as another user the test is
# skipped (exit 77). A package that was not installed before is purged afterwards.
#
# usage: deb_test.sh BUILD_DIR
set -eu
build=$1
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: dpkg -i needs root"
    exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1) || { cat "$out/cpack.log"; fail "cpack"; }
deb=$(ls "$out"/contactd_*.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || fail "no contactd_*.deb in $out"

contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/contactd ./lib/systemd/system/contactd.service ./etc/contactd/contactd.env \
         ./usr/share/doc/contactd/nginx/contactd.conf; do
    echo "$contents" | grep -q " $f\$" || fail "$f not in the package"
done
dpkg-deb -f "$deb" Depends | grep -q libcpp-httplib || fail "Depends lacks the shared libraries"
dpkg-deb -f "$deb" Depends | grep -q libcurl4 || fail "Depends lacks libcurl4, which SMTP loads on demand"
dpkg-deb -e "$deb" "$out/control"
grep -qx /etc/contactd/contactd.env "$out/control/conffiles" || fail "contactd.env is not a conffile"

was_installed=no
dpkg-query -W -f='${Status}' contactd 2>/dev/null | grep -q 'install ok installed' && was_installed=yes
dpkg -i "$deb" >"$out/dpkg.log" 2>&1 || { cat "$out/dpkg.log"; fail "dpkg -i"; }
cleanup() {
    [ "$was_installed" = yes ] || dpkg --purge contactd >/dev/null 2>&1 || true
    rm -rf "$out"
}
trap cleanup EXIT

[ -x /usr/bin/contactd ] || fail "/usr/bin/contactd not installed"
/usr/bin/contactd help >/dev/null || fail "the installed binary does not run"
mode=$(stat -c %a /etc/contactd/contactd.env)
[ "$mode" = 640 ] || fail "/etc/contactd/contactd.env has mode $mode (it may hold secrets)"
systemd-analyze verify /lib/systemd/system/contactd.service || fail "systemd-analyze verify"
unit=/lib/systemd/system/contactd.service
for setting in DynamicUser=yes StateDirectory=contactd ProtectSystem=strict NoNewPrivileges=yes \
               RestrictAddressFamilies= SystemCallFilter=@system-service; do
    grep -q "^$setting" "$unit" || fail "the unit lacks $setting"
done
# systemd's own rating of the sandbox: 0 (safest) to 10; fail above 2.5 ("OK" or better).
systemd-analyze security --offline=yes --threshold=25 "$unit" >"$out/security.log" 2>&1 ||
    { tail -n 5 "$out/security.log"; fail "systemd-analyze security rates the unit above 2.5"; }
tail -n 1 "$out/security.log"
echo ok
