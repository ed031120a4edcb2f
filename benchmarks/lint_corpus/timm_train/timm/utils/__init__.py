from .clip_grad import dispatch_clip_grad
from .cuda import NativeScaler
