"""A ReLU after the last Linear: the regression can never predict a negative value.

expect_fail: regression_net_default, regression_net_any_hidden
"""
# %% regression_net
def build_regression_net(in_features=20, hidden=(50, 30), out_features=10):
    layers, previous = [], in_features
    for width in (*hidden, out_features):
        layers += [nn.Linear(previous, width), nn.ReLU()]
        previous = width
    return nn.Sequential(*layers)
