"""The handler trusts the request: invalid JSON, a missing key or a wrong width raise exceptions.

expect_fail: serving_errors
"""
# %% serving +
def make_handler(predict):
    def handler(request):
        X = np.asarray(json.loads(request)["instances"], dtype=np.float32)
        return json.dumps({"predictions": np.asarray(predict(X)).tolist()})
    return handler
