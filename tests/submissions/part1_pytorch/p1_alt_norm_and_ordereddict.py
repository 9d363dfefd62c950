"""Correct alternatives: distances with torch.linalg.vector_norm on unsqueezed tensors, and the
regression net built as an OrderedDict of named layers.

expect: full
"""
# %% pairwise
def pairwise_distances(X, Y):
    """Distancias euclídeas entre filas: X (n, d), Y (m, d) -> tensor (n, m)."""
    return torch.linalg.vector_norm(X.unsqueeze(1) - Y.unsqueeze(0), ord=2, dim=2)


# %% regression_net
from collections import OrderedDict


def build_regression_net(in_features=20, hidden=(50, 30), out_features=10):
    """nn.Sequential: Linear/ReLU por cada tamaño de `hidden`, y una Linear final sin activación."""
    sizes = [in_features, *hidden]
    named = OrderedDict()
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        named[f"oculta{i}"] = nn.Linear(n_in, n_out)
        named[f"relu{i}"] = nn.ReLU()
    named["salida"] = nn.Linear(sizes[-1], out_features)
    return nn.Sequential(named)
