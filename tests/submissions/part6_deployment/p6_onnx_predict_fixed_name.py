"""onnx_predict feeds the array under the name "input" instead of reading the input's name from the session: it
only runs models exported with that name.

expect_fail: onnx_predict_matches
"""
# %% onnx +
def onnx_predict(path, X):
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return session.run(None, {"input": np.asarray(X, dtype=np.float32)})[0]
