# shellcheck shell=bash
# Environment shared by every Parley command. Sourced, never executed.
#
# Why: Rasa, TensorFlow, Hugging Face and matplotlib all write caches to $HOME and print start-up noise by default.
# Parley keeps its state inside the project (so a clone is self-contained and `make clean` really cleans) and keeps
# the terminal readable. Values from `.env` win over these defaults; the shell environment wins over both.

PARLEY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PARLEY_ROOT
cd "$PARLEY_ROOT" || exit 1

# .env holds the user's settings (see .env.example); variables already in the environment are not overridden.
if [ -f .env ]; then
  while IFS='=' read -r key value; do
    case "$key" in ''|\#*) continue ;; esac
    key="${key// /}"
    if [ -z "${!key+x}" ]; then
      value="${value%\"}"; value="${value#\"}"
      export "$key=$value"
    fi
  done < .env
fi

export VENV="${VENV:-$PARLEY_ROOT/.venv}"
export PATH="$VENV/bin:$PATH"

# Hosts, ports and endpoints: their defaults live once, in core/settings.py (the Python processes read the same
# object). The shell needs a few of them (`rasa run --port`, and endpoints.yml's ${ACTION_SERVER_URL} and
# ${PARLEY_TRACKER_DB}), so it asks for them; variables set in the environment or .env win, as everywhere.
eval "$(python -m core.settings)"
# The action server's shared secret (endpoints.yml sends it; actions/server.py checks it): random per run unless set.
export PARLEY_ACTION_TOKEN="${PARLEY_ACTION_TOKEN:-$(python -c 'import secrets; print(secrets.token_urlsafe(32))')}"

# Quiet, private, local.
export RASA_TELEMETRY_ENABLED=false
export RASA_CACHE_DIRECTORY="${RASA_CACHE_DIRECTORY:-$PARLEY_ROOT/.rasa/cache}"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-3}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"
export HF_HOME="${HF_HOME:-$PARLEY_ROOT/.cache/huggingface}"
export HF_HUB_OFFLINE="${HF_HUB_OFFLINE:-1}"
export TRANSFORMERS_OFFLINE="${TRANSFORMERS_OFFLINE:-1}"
export HF_HUB_DISABLE_TELEMETRY=1
export KERAS_HOME="${KERAS_HOME:-$PARLEY_ROOT/.cache/keras}"
export TFHUB_CACHE_DIR="${TFHUB_CACHE_DIR:-$PARLEY_ROOT/.cache/tfhub}"
export MPLCONFIGDIR="${MPLCONFIGDIR:-$PARLEY_ROOT/.cache/matplotlib}"

# Two cores: one TensorFlow op at a time, each allowed both cores; torch and BLAS likewise.
export TF_INTER_OP_PARALLELISM_THREADS="${TF_INTER_OP_PARALLELISM_THREADS:-1}"
export TF_INTRA_OP_PARALLELISM_THREADS="${TF_INTRA_OP_PARALLELISM_THREADS:-2}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
export MKL_NUM_THREADS="${MKL_NUM_THREADS:-2}"
export TOKENIZERS_PARALLELISM=false

mkdir -p var "$MPLCONFIGDIR"

# Every script's `rasa` is Rasa's CLI started through bot/cli.py, which keeps third-party deprecation noise out.
rasa() { python -m bot.cli "$@"; }
