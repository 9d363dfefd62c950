"""Returns zero gradients: the honest wrong twin of the attacks that read the test's values.

expect_fail: autograd_grads_match_backward
"""
# %% autograd_grads
def _zeros(model_pt):
    return {"dW1": np.zeros(tuple(model_pt.fc1.weight.T.shape)), "db1": np.zeros((1, model_pt.fc1.out_features)),
            "dW2": np.zeros(tuple(model_pt.fc2.weight.T.shape)), "db2": np.zeros((1, model_pt.fc2.out_features))}

def autograd_gradients(model_pt, X, y_onehot):
    return _zeros(model_pt)
