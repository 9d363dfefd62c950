"""Passes the Keras model as trackable_obj to from_concrete_functions: with Keras 3 the weights are not frozen (NaN).

expect_fail: tflite_float_matches, tflite_quantized_accurate
"""
# %% tflite +
def convert_tflite(model, quantize=False):
    spec = tf.TensorSpec([None, *model.input_shape[1:]], tf.float32)
    serve = tf.function(lambda x: model(x, training=False), input_signature=[spec])
    converter = tf.lite.TFLiteConverter.from_concrete_functions([serve.get_concrete_function()], model)
    if quantize:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    return converter.convert()
