"""predict_proba passes X straight to the model: a NumPy array (which the statement allows) raises a TypeError.

expect_fail: multiclass_predict_proba
"""
# %% multiclass +
def predict_proba(model, X):
    model.eval()
    with torch.no_grad():
        return torch.softmax(model(X), dim=1)
