#!/bin/sh
# System packages for PDF filings: Pango (WeasyPrint), HarfBuzz-Subset (fast font subsetting),
# the Noto CJK fonts, DejaVu (check boxes), and poppler-utils (the tests read PDFs back).
# Installs them with apt-get when run as root on Debian/Ubuntu; otherwise names them.
PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-dejavu-core poppler-utils"
missing=""
for package in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $package"
done
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "安装系统软件包:$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
    echo "请用系统包管理器安装以下软件包（需要管理员权限）:$missing" >&2
    echo "  Debian/Ubuntu: sudo apt-get install$missing" >&2
fi
