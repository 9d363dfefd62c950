"""tflite_predict never resizes the input tensor: only batches of the traced size work.

expect_fail: tflite_float_matches
"""
# %% tflite +
def tflite_predict(model_bytes, X):
    interpreter = tf.lite.Interpreter(model_content=model_bytes)
    interpreter.allocate_tensors()
    inp = interpreter.get_input_details()[0]["index"]
    out = interpreter.get_output_details()[0]["index"]
    interpreter.set_tensor(inp, np.asarray(X, dtype=np.float32)[:1])
    interpreter.invoke()
    return np.repeat(interpreter.get_tensor(out), len(X), axis=0)
