"""The hidden sizes are hard-coded to (50, 30): the `hidden` argument is ignored.

expect_fail: regression_net_any_hidden
"""
# %% regression_net
def build_regression_net(in_features=20, hidden=(50, 30), out_features=10):
    return nn.Sequential(nn.Linear(in_features, 50), nn.ReLU(), nn.Linear(50, 30), nn.ReLU(),
                         nn.Linear(30, out_features))
