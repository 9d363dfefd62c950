"""Quantizes to float16: the model only halves, it does not reach 40 % of the float size.

expect_fail: tflite_quantized_small
"""
# %% tflite +
def convert_tflite(model, quantize=False):
    spec = tf.TensorSpec([None, *model.input_shape[1:]], tf.float32)
    serve = tf.function(lambda x: model(x, training=False), input_signature=[spec])
    converter = tf.lite.TFLiteConverter.from_concrete_functions([serve.get_concrete_function()])
    if quantize:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    return converter.convert()
