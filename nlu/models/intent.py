"""Intent classification: fine-tune the top layers of a split encoder, with a linear head, on labelled texts.

Why only the top layers: on BANKING77 with 2 CPU cores, fine-tuning the top two of MiniLM's six layers gets most of
full fine-tuning's accuracy at a fraction of its training time (the frozen bottom is computed once per text), and the
frozen bottom stays shareable with the sentiment head at inference. `benchmarks/README.md` has the measurements.

Confidence: with a few dozen examples per intent and label smoothing, the raw softmax spreads its mass, so right
answers often come out under the fallback threshold. Training therefore calibrates it (temperature scaling, Guo et
al. 2017): a probe model is trained on 80% of the examples, one temperature is fitted to its logits on the other
20% (the value that minimises their negative log-likelihood), and the final model, trained on everything, divides
its logits by it. The ranking never changes; the confidence becomes one that a threshold can act on.

Out-of-scope messages: Rasa's `FallbackClassifier` (plus the bot's explicit `out_of_scope` intent) catches what
falls below its threshold. Optionally (`ood_percentile` < 100) the
model also keeps a Gaussian model of each intent's features (class means, one shared covariance) and scales down the
confidence of messages far from every intent; measured on BANKING77 and on the bot's own messages, that rejects too
many unusual in-scope messages, so it is off by default.
"""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from nlu.models.encoder import SplitEncoder, mean_pool, run_layers


@dataclass
class IntentTrainingConfig:
    """Hyperparameters; the defaults are the ones benchmarked on BANKING77."""

    epochs: int = 8
    batch_size: int = 32
    learning_rate: float = 1e-4
    head_learning_rate: float = 2e-3
    weight_decay: float = 0.01
    dropout: float = 0.1
    label_smoothing: float = 0.1
    seed: int = 42
    # Below 100, a distance above this percentile of the training distances lowers the confidence (e.g. 99).
    # Off (100) by default: it catches far-off messages but also rejects unusual in-scope ones (benchmarks/README.md).
    ood_percentile: float = 100.0
    # Share of each intent's examples held out to fit the softmax temperature (0: no calibration, temperature 1).
    calibration_split: float = 0.2


def seed_everything(seed: int) -> None:
    """Makes training repeatable on CPU."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class IntentNetwork(nn.Module):
    """Top transformer layers, mean pooling and a linear classifier."""

    def __init__(
        self,
        top_layers: nn.ModuleList,
        hidden_size: int,
        num_labels: int,
        dropout: float,
        position_bias: Callable[[torch.Tensor], torch.Tensor | None] | None = None,
    ) -> None:
        super().__init__()
        self.top = top_layers
        self.position_bias = position_bias  # the encoder's (MPNet), not a trained part of this network
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(hidden_size, num_labels)

    def features(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Pooled sentence vector after the top layers."""
        bias = self.position_bias(hidden) if self.position_bias else None
        return mean_pool(run_layers(self.top, hidden, mask, bias), mask)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Logits per label."""
        return self.classifier(self.dropout(self.features(hidden, mask)))


def pad(states: list[tuple[np.ndarray, int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Stacks unpadded (length, hidden) arrays into a padded batch and its mask."""
    longest = max(length for _, length in states)
    hidden = torch.zeros(len(states), longest, states[0][0].shape[1])
    mask = torch.zeros(len(states), longest, dtype=torch.long)
    for row, (array, length) in enumerate(states):
        hidden[row, :length] = torch.from_numpy(array)
        mask[row, :length] = 1
    return hidden, mask


def length_bucketed_batches(lengths: list[int], batch_size: int, generator: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of similar-length texts, so little compute is spent on padding.

    Measured 2.5x faster per training step than random batches (`benchmarks/bucketing.py`).
    Texts are shuffled, cut into pools of 50 batches, sorted by length inside each pool, batched, and the batches
    shuffled again: every epoch sees different batches, but each batch pads to a similar length.
    """
    order = generator.permutation(len(lengths))
    pool = batch_size * 50
    batches = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lambda i: lengths[i])
        batches += [np.array(chunk[i : i + batch_size]) for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in generator.permutation(len(batches))]


def calibration_indices(labels: list[str], share: float, seed: int) -> set[int]:
    """Indices to hold out for calibration: `share` of each intent's examples, none from intents with under 5.

    Stratified so that every intent stays in the probe's training data (the probe's labels are the final model's).
    """
    if share <= 0:
        return set()
    generator = np.random.default_rng(seed)
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    held: set[int] = set()
    for indices in by_label.values():
        if len(indices) >= 5:
            held |= {int(i) for i in generator.permutation(indices)[: int(len(indices) * share)]}
    return held


def fit_temperature(logits: np.ndarray, truth: np.ndarray) -> float:
    """The temperature that minimises the negative log-likelihood of `truth` under softmax(logits / T).

    A one-parameter fit, so a dense log-spaced grid (0.05 to 10) is exact enough and cannot diverge.
    """
    best, best_nll = 1.0, np.inf
    for temperature in np.exp(np.linspace(np.log(0.05), np.log(10.0), 400)):
        scaled = logits / temperature
        scaled = scaled - scaled.max(axis=1, keepdims=True)
        log_probs = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
        nll = -float(log_probs[np.arange(len(truth)), truth].mean())
        if nll < best_nll:
            best, best_nll = float(temperature), nll
    return best


@dataclass
class OodModel:
    """Class means and shared precision matrix for Mahalanobis distances, plus the calibration scale."""

    means: np.ndarray
    precision: np.ndarray
    threshold: float
    scale: float

    @functools.cached_property
    def _whitening(self) -> tuple[np.ndarray, np.ndarray]:
        """Cholesky factor of the precision and the whitened class means, computed once rather than per message."""
        factor = np.linalg.cholesky(self.precision)
        return factor, self.means @ factor

    def distances(self, features: np.ndarray) -> np.ndarray:
        """Distance of each feature vector to its nearest intent.

        Whitening with the Cholesky factor of the precision turns Mahalanobis into Euclidean distance, which is
        O(n*d^2 + n*k*d) instead of materialising every (n, k, d) difference.
        """
        factor, m = self._whitening
        z = features @ factor
        squared = (z**2).sum(1)[:, None] - 2 * z @ m.T + (m**2).sum(1)[None, :]
        return np.sqrt(np.maximum(squared.min(axis=1), 0.0))

    def in_scope(self, features: np.ndarray) -> np.ndarray:
        """1 well inside the training distribution, falling towards 0 beyond the threshold."""
        z = (self.distances(features) - self.threshold) / self.scale
        return 1.0 / (1.0 + np.exp(np.clip(z, -50, 50)))

    @classmethod
    def fit(cls, features: np.ndarray, labels: np.ndarray, num_labels: int, percentile: float) -> OodModel:
        """Estimates the class Gaussians and sets the threshold at a percentile of the training distances."""
        means = np.stack(
            [features[labels == k].mean(0) if (labels == k).any() else features.mean(0) for k in range(num_labels)]
        )
        centred = features - means[labels]
        covariance = centred.T @ centred / max(len(features) - 1, 1)
        shrink = 0.1 * np.trace(covariance) / covariance.shape[0]
        precision = np.linalg.inv(covariance + shrink * np.eye(covariance.shape[0]))
        model = cls(means, precision, threshold=0.0, scale=1.0)  # threshold and scale set below
        train_distances = model.distances(features)
        model.threshold = float(np.percentile(train_distances, percentile))
        model.scale = float(max(np.std(train_distances) / 2, 1e-6))
        return model


class IntentModel:
    """A trained intent classifier over a `SplitEncoder`'s bottom states."""

    def __init__(
        self,
        encoder: SplitEncoder,
        labels: list[str],
        network: IntentNetwork,
        ood: OodModel | None,
        config: IntentTrainingConfig,
        temperature: float = 1.0,
    ) -> None:
        self.encoder = encoder
        self.labels = labels
        self.network = network.eval()
        self.ood = ood
        self.config = config
        self.temperature = temperature

    @classmethod
    def train(
        cls,
        encoder: SplitEncoder,
        texts: list[str],
        labels: list[str],
        config: IntentTrainingConfig | None = None,
        progress: bool = True,
    ) -> IntentModel:
        """Fine-tunes the top layers and the head on (text, label) pairs."""
        return cls.train_on_states(encoder, encoder.bottom_batches(texts), labels, config, progress)

    @classmethod
    def train_on_states(
        cls,
        encoder: SplitEncoder,
        states: list[tuple[np.ndarray, int]],
        labels: list[str],
        config: IntentTrainingConfig | None = None,
        progress: bool = True,
    ) -> IntentModel:
        """Like `train`, from bottom states computed elsewhere (e.g. by the Rasa featurizer).

        With `calibration_split` > 0 a probe model is trained first on the rest of the data, to fit the temperature.
        """
        config = config or IntentTrainingConfig()
        temperature = 1.0
        held = calibration_indices(labels, config.calibration_split, config.seed)
        if held:
            keep = [i for i in range(len(labels)) if i not in held]
            probe = cls._fit(encoder, [states[i] for i in keep], [labels[i] for i in keep], config, False)
            held_states = [states[i] for i in sorted(held)]
            logits = probe.logits_from_states(held_states)
            truth = np.array([probe.labels.index(labels[i]) for i in sorted(held)])
            temperature = fit_temperature(logits, truth)
        model = cls._fit(encoder, states, labels, config, progress)
        model.temperature = temperature
        return model

    @classmethod
    def _fit(
        cls,
        encoder: SplitEncoder,
        states: list[tuple[np.ndarray, int]],
        labels: list[str],
        config: IntentTrainingConfig,
        progress: bool,
    ) -> IntentModel:
        """One fine-tuning run (temperature 1)."""
        seed_everything(config.seed)
        names = sorted(set(labels))
        index = {name: i for i, name in enumerate(names)}
        y = np.array([index[label] for label in labels])

        network = IntentNetwork(
            encoder.top_layers(), encoder.hidden_size, len(names), config.dropout, encoder.position_bias
        )
        optimiser = torch.optim.AdamW(
            [
                {"params": list(network.top.parameters()), "lr": config.learning_rate},
                {"params": list(network.classifier.parameters()), "lr": config.head_learning_rate},
            ],
            weight_decay=config.weight_decay,
        )
        steps = config.epochs * ((len(states) + config.batch_size - 1) // config.batch_size)
        schedule = torch.optim.lr_scheduler.OneCycleLR(
            optimiser,
            max_lr=[config.learning_rate, config.head_learning_rate],
            total_steps=max(steps, 1),
            pct_start=0.1,
            anneal_strategy="linear",
        )
        loss_fn = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)
        generator = np.random.default_rng(config.seed)
        network.train()
        bar = tqdm(total=steps, desc="Intent classifier", unit="step", disable=not progress)
        for _ in range(config.epochs):
            for batch in length_bucketed_batches([length for _, length in states], config.batch_size, generator):
                hidden, mask = pad([states[i] for i in batch])
                loss = loss_fn(network(hidden, mask), torch.from_numpy(y[batch]))
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
                bar.update(1)
                bar.set_postfix(loss=f"{loss.item():.3f}")
        bar.close()
        network.eval()

        model = cls(encoder, names, network, None, config)
        if config.ood_percentile < 100:
            features = model.features_from_states(states)
            model.ood = OodModel.fit(features, y, len(names), config.ood_percentile)
        return model

    @torch.inference_mode()
    def features_from_states(self, states: list[tuple[np.ndarray, int]], batch_size: int = 128) -> np.ndarray:
        """Pooled features after the fine-tuned top layers (texts x hidden), as the head and OOD model see them."""
        out = []
        for start in range(0, len(states), batch_size):
            hidden, mask = pad(states[start : start + batch_size])
            out.append(self.network.features(hidden, mask).numpy())
        return np.concatenate(out) if out else np.zeros((0, self.encoder.hidden_size))

    @torch.inference_mode()
    def logits_from_states(self, states: list[tuple[np.ndarray, int]]) -> np.ndarray:
        """Raw (uncalibrated) logits, texts x labels."""
        features = torch.from_numpy(self.features_from_states(states))
        return self.network.classifier(features).numpy()

    @torch.inference_mode()
    def predict_from_bottom(self, hidden: torch.Tensor, mask: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated softmax probabilities and in-scope scores (0..1) from the encoder's bottom states."""
        features = self.network.features(hidden, mask)
        probabilities = torch.softmax(self.network.classifier(features) / self.temperature, dim=-1).numpy()
        in_scope = self.ood.in_scope(features.numpy()) if self.ood else np.ones(len(probabilities))
        return probabilities, in_scope

    def predict(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities (texts x labels, columns in `self.labels` order) and in-scope scores."""
        if not texts:
            return np.zeros((0, len(self.labels))), np.zeros(0)
        hidden, mask = self.encoder.bottom(texts)
        return self.predict_from_bottom(hidden, mask)

    def save(self, directory: Path) -> None:
        """Writes the trained top layers, head and OOD statistics (the frozen encoder is not copied)."""
        directory.mkdir(parents=True, exist_ok=True)
        torch.save(self.network.state_dict(), directory / "network.pt")
        if self.ood is not None:
            np.savez(
                directory / "ood.npz",
                means=self.ood.means,
                precision=self.ood.precision,
                calibration=np.array([self.ood.threshold, self.ood.scale]),
            )
        meta = {
            "labels": self.labels,
            "config": asdict(self.config),
            "encoder": self.encoder.name_or_path,
            "split": self.encoder.split,
            "temperature": self.temperature,
        }
        (directory / "intent.json").write_text(json.dumps(meta, indent=2))

    @classmethod
    def load(cls, directory: Path, encoder: SplitEncoder) -> IntentModel:
        """Restores a model saved by `save` on top of the same encoder."""
        meta = json.loads((directory / "intent.json").read_text())
        if meta["split"] != encoder.split:
            raise ValueError(f"model was trained with split {meta['split']}, encoder has {encoder.split}")
        config = IntentTrainingConfig(**meta["config"])
        network = IntentNetwork(
            encoder.top_layers(), encoder.hidden_size, len(meta["labels"]), config.dropout, encoder.position_bias
        )
        network.load_state_dict(torch.load(directory / "network.pt", map_location="cpu"))
        ood = None
        if (directory / "ood.npz").exists():
            stats = np.load(directory / "ood.npz")
            threshold, scale = stats["calibration"].tolist()
            ood = OodModel(stats["means"], stats["precision"], threshold, scale)
        return cls(encoder, meta["labels"], network, ood, config, float(meta.get("temperature", 1.0)))
