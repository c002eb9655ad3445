# Shared by bin/demo and bin/test (sourced): messages, apt, and the project's virtualenv.
# The caller sets NAME (its name in messages) and is in the repository root.
VENV=.venv
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1

say() { echo "${NAME}: $*" >&2; }
die() { echo "${NAME}: $*" >&2; exit 1; }

is_ci() { [[ "${CI:-}" =~ ^([Tt]rue|TRUE|1|yes)$ ]]; }

can_apt() { [[ $(id -u) -eq 0 ]] || { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }; }

apt_install() {
    local sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo -n)
    say "installing with apt: $*"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300 "$@" >/dev/null
}

pick_python() {
    if command -v python3.11 >/dev/null 2>&1 && python3.11 -c '' 2>/dev/null; then
        echo python3.11
    elif command -v python3 >/dev/null 2>&1 && python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        echo python3
    else
        die "Python 3.11 or newer is needed (no python3.11, and python3 is older or missing)."
    fi
}

venv_ok() { [[ -x $VENV/bin/python ]] && $VENV/bin/python -c 'import sys, pip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }

make_venv() {
    venv_ok && return
    local py
    py=$(pick_python)
    [[ -e $VENV ]] && { say "$VENV is broken or too old: recreating it"; rm -rf "$VENV"; }
    say "creating $VENV with $("$py" --version 2>&1)"
    if ! "$py" -m venv "$VENV" 2>/dev/null; then
        rm -rf "$VENV"
        # Debian ships venv/ensurepip separately (python3-venv).
        local ver pkgs
        ver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
        pkgs=(python3-venv "python$ver-venv")
        can_apt || die "could not create $VENV: install Debian's venv support first: sudo apt-get install ${pkgs[*]}"
        apt_install "${pkgs[@]}"
        "$py" -m venv "$VENV" || { rm -rf "$VENV"; die "could not create $VENV"; }
    fi
}

# pip install -r FILE unless the requirement files are unchanged since the last successful install.
install_requirements() {
    local file=$1 stamp sum
    stamp="$VENV/.installed-$(basename "$file").sha256"
    sum=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
    if [[ -f $stamp && $(cat "$stamp") == "$sum" ]]; then
        return
    fi
    say "installing $file into $VENV"
    $VENV/bin/python -m pip install -q -r "$file"
    echo "$sum" >"$stamp"
    # requirements-dev.txt includes requirements.txt: bin/demo need not install again.
    [[ $file == requirements-dev.txt ]] && echo "$sum" >"$VENV/.installed-requirements.txt.sha256"
    return 0
}

