"""Plain PyTorch / transformers models behind Parley's Rasa components. No Rasa imports here."""
