def get_optimizer_params(optimizer):
    """Every parameter the optimizer updates, in group order."""
    params = []
    for group in optimizer.param_groups:
        params.extend(group["params"])
    return params
