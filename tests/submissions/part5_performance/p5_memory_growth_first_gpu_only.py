"""configure_tf_memory_growth only enables memory growth on the first GPU.

expect_fail: devices_tf_memory_growth
"""
# %% devices +
def configure_tf_memory_growth():
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        tf.config.experimental.set_memory_growth(gpus[0], True)
    return len(gpus)
