#!/usr/bin/env bash
# Create or refresh both virtualenvs from the pinned lock files. Idempotent and fast when
# nothing changed: each env keeps the hash of the lock it was built from. Packages are installed
# with uv (PyPI package "uv", pinned below, kept in var/uv/) when it can be had: same lock
# files, several times faster than pip; pip installs them if uv cannot.
#   .venv       Python 3.11: app, actions, gateway, scheduler, console, classifier, CLI
#   .venv-rasa  Python 3.10: rasa 3.6.21 (+ jieba, OpenCC, fastjsonschema) only
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {  # find_python 3.10 → path of an interpreter of that version
    local version=$1 candidate
    for candidate in "python$version" "$HOME/.pyenv/versions/$version"*/bin/python \
                     /root/.pyenv/versions/"$version"*/bin/python /usr/bin/python"$version"; do
        if command -v "$candidate" >/dev/null 2>&1 \
           && "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$version'.split('.'))))" 2>/dev/null; then
            command -v "$candidate"; return 0
        fi
    done
    return 1
}

digest() { cat "$@" | sha256sum | cut -d' ' -f1; }

pip_quiet() {  # pip's config here names local mirrors that may be absent: hide only that noise
    "$@" 2> >(grep -v "WARNING: Location 'file:" >&2)
}

UV_VERSION=0.13.8
UV=var/uv/bin/uv

have_uv() {  # have_uv PYTHON → true once var/uv/bin/uv runs (installed with that Python's pip)
    if [[ ! -x $UV ]]; then
        "$1" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
            --prefix var/uv "uv==$UV_VERSION" >/dev/null 2>&1 || return 1
    fi
    "$UV" --version >/dev/null 2>&1
}

install_lock() {  # install_lock DIR LOCK [extra args...]: uv if it works, else pip
    local dir=$1 lock=$2 python; shift 2
    python="$dir/bin/python"
    if have_uv "$python" \
       && "$UV" pip install --quiet --python "$python" -r "$lock" "$@"; then
        return 0
    fi
    echo "==> uv unavailable or failed; installing $lock with pip"
    pip_quiet "$python" -m pip install --quiet --upgrade pip
    pip_quiet "$python" -m pip install --quiet --progress-bar on -r "$lock" "$@"
}

build_env() {  # build_env DIR VERSION LOCK [extra pip args...]
    local dir=$1 version=$2 lock=$3; shift 3
    local want; want=$(digest "$lock" pyproject.toml)
    if [[ -f "$dir/.lock.sha256" && "$(cat "$dir/.lock.sha256")" == "$want" ]]; then
        return 0
    fi
    local python
    if ! python=$(find_python "$version"); then
        echo "error: Python $version is required for $dir but was not found on PATH or under pyenv" \
             "(~/.pyenv/versions/$version*). Install it, e.g. 'pyenv install $version'." >&2
        exit 1
    fi
    echo "==> building $dir with $python (this takes a few minutes the first time)"
    [[ -x "$dir/bin/python" ]] || "$python" -m venv "$dir"  # with pip, for `make lock`
    install_lock "$dir" "$lock" "$@"
    echo "$want" > "$dir/.lock.sha256"
}

mkdir -p var
build_env .venv-rasa 3.10 requirements/rasa.lock
build_env .venv 3.11 requirements/app.lock -e . --no-deps
