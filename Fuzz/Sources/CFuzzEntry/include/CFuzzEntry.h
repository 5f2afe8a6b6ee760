// Intentionally empty: the target only provides the entry points below.
