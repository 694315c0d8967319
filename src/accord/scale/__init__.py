"""Work at scale: batches of draws, uncertainty, sensitivity analysis and sweeps."""
