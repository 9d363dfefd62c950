"""onnx_predict feeds only the first row of X to the session: one prediction whatever the batch.

expect_fail: onnx_predict_matches
"""
# %% onnx +
def onnx_predict(path, X):
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return session.run(None, {name: np.asarray(X, dtype=np.float32)[:1]})[0]
