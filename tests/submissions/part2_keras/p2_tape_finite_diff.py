"""Central finite differences instead of GradientTape.

expect_fail: tape_uses_autograd
"""
# %% tape_derivative
def tape_derivative(f, x0):
    h = 1e-6
    x = tf.constant(float(x0), dtype=tf.float64)
    return float((f(x + h) - f(x - h)) / (2 * h))
