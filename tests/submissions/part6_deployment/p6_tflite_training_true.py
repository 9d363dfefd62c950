"""Traces the model with training=True: Dropout stays active inside the TFLite model.

expect_fail: tflite_float_matches
"""
# %% tflite +
def convert_tflite(model, quantize=False):
    spec = tf.TensorSpec([None, *model.input_shape[1:]], tf.float32)
    serve = tf.function(lambda x: model(x, training=True), input_signature=[spec])
    converter = tf.lite.TFLiteConverter.from_concrete_functions([serve.get_concrete_function()])
    if quantize:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    return converter.convert()
