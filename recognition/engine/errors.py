"""Typed image errors.

Every message is meant to be shown to the person who uploaded the file, so it
says what is wrong in plain words and never leaks a library traceback.
"""
from __future__ import annotations


class ImageError(ValueError):
    """Base class: the bytes cannot be turned into an image we will read."""

    code = "image_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EmptyImage(ImageError):
    code = "empty_image"


class UnsupportedImage(ImageError):
    code = "unsupported_image"


class CorruptImage(ImageError):
    code = "corrupt_image"


class ImageTooLarge(ImageError):
    code = "image_too_large"
