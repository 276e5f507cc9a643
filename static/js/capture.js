/*
 * Screen, window or tab capture from the team space: the browser asks which
 * surface to share, one frame is taken and the sharing stops at once, then
 * the cropper lets the user keep just a region, which is uploaded like any
 * other image. Where the browser or the page's context cannot capture
 * (no getDisplayMedia, or a page not served over HTTPS or from localhost),
 * the button says why instead.
 */
(function () {
  "use strict";

  var trigger = document.getElementById("capture-screen");
  if (!trigger) return;
  var strings = window.OcrLiveFeed.readJson("ui-strings");
  var status = document.getElementById("capture-status");

  function say(text) {
    status.textContent = text;
    status.hidden = !text;
  }

  function unsupported() {
    if (!window.isSecureContext) return strings.captureInsecure;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) return strings.captureUnsupported;
    return "";
  }

  var reason = unsupported();
  if (reason) {
    trigger.disabled = true;
    say(reason);
    return;
  }

  function frameOf(stream) {
    var video = document.createElement("video");
    video.muted = true;
    video.playsInline = true;
    video.srcObject = stream;
    return video.play().then(function () {
      return new Promise(function (resolve) {
        // The first frame can be black while the source starts: wait for one
        // with a size, and one more paint.
        function grab() {
          if (!video.videoWidth) return requestAnimationFrame(grab);
          requestAnimationFrame(function () {
            var canvas = document.createElement("canvas");
            canvas.width = video.videoWidth;
            canvas.height = video.videoHeight;
            canvas.getContext("2d").drawImage(video, 0, 0);
            resolve(canvas);
          });
        }
        grab();
      });
    });
  }

  function stop(stream) {
    stream.getTracks().forEach(function (track) {
      track.stop();
    });
  }

  trigger.addEventListener("click", function () {
    say("");
    navigator.mediaDevices
      .getDisplayMedia({ video: true, audio: false })
      .then(function (stream) {
        return frameOf(stream).then(
          function (canvas) {
            stop(stream);
            return canvas;
          },
          function (error) {
            stop(stream);
            throw error;
          }
        );
      })
      .then(function (canvas) {
        return new Promise(function (resolve) {
          var stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
          canvas.toBlob(function (blob) {
            resolve(new File([blob], strings.captureName + " " + stamp + ".png", { type: "image/png" }));
          }, "image/png");
        });
      })
      .then(function (file) {
        return window.OcrCropper.open(file, strings);
      })
      .then(function (file) {
        if (file) window.OcrUploader.enqueue([file], { crop: false });
      })
      .catch(function (error) {
        say(error && error.name === "NotAllowedError" ? strings.captureDenied : strings.captureFailed);
      });
  });
})();
