# Sourced by the scripts: a Python venv under .venv holding the test oracles (statsmodels, …).
# Python is a test tool only; the product never runs it.

ensure_venv() { # packages…
    local venv=.venv
    if [ ! -x "$venv/bin/python" ]; then
        echo "==> creating $venv"
        python3 -m venv "$venv" 2>/dev/null || {
            source scripts/lib/debian-packages.sh
            ensure_debian_packages python3-venv
            python3 -m venv "$venv"
        }
    fi
    local missing=()
    local package
    for package in "$@"; do
        "$venv/bin/python" -m pip show -q "${package%%[=<>[]*}" >/dev/null 2>&1 || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "==> pip install ${missing[*]}"
        "$venv/bin/python" -m pip install -q --disable-pip-version-check "${missing[@]}"
    fi
}
