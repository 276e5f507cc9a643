/*
 * Choosing a rectangle of an image: dragging with the mouse, pen or finger,
 * or with the keyboard (arrows move it, Shift+arrows resize it, Alt for one
 * pixel at a time). Used by the cropper before an upload, the screen capture
 * and the region read of the result page.
 *
 * OcrCropper.select(frame, width, height, onChange) makes ``frame`` (an
 * element showing the image scaled to its box) a selection surface for an
 * image of width x height pixels; the rectangle is reported in image pixels.
 *
 * OcrCropper.open(file, strings) shows a dialog with the image, turn left /
 * right and the selection; resolves to a new PNG File of the chosen part
 * (turned as shown), to the original file ("Upload whole image") or to null
 * (cancelled). Only the result is uploaded: the original is never sent when
 * the user crops.
 */
(function () {
  "use strict";

  var MIN = 8; // image pixels, as the server's minimum region side

  function clamp(v, lo, hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  function select(frame, width, height, onChange) {
    var box = document.createElement("div");
    box.className = "selection-box";
    box.hidden = true;
    box.tabIndex = -1;
    frame.appendChild(box);
    frame.classList.add("selecting");
    frame.tabIndex = 0;
    var rect = null;
    var start = null;

    function scale() {
      var r = frame.getBoundingClientRect();
      return { sx: width / r.width, sy: height / r.height, left: r.left, top: r.top };
    }

    function draw() {
      if (!rect) {
        box.hidden = true;
        return;
      }
      box.hidden = false;
      box.style.left = (rect.x / width) * 100 + "%";
      box.style.top = (rect.y / height) * 100 + "%";
      box.style.width = (rect.width / width) * 100 + "%";
      box.style.height = (rect.height / height) * 100 + "%";
    }

    function set(next) {
      if (next) {
        var x = clamp(Math.round(next.x), 0, width - MIN);
        var y = clamp(Math.round(next.y), 0, height - MIN);
        next = {
          x: x,
          y: y,
          width: clamp(Math.round(next.width), MIN, width - x),
          height: clamp(Math.round(next.height), MIN, height - y),
        };
      }
      rect = next;
      draw();
      onChange(rect);
    }

    function point(event) {
      var s = scale();
      return {
        x: clamp((event.clientX - s.left) * s.sx, 0, width),
        y: clamp((event.clientY - s.top) * s.sy, 0, height),
      };
    }

    function down(event) {
      if (event.button !== 0) return;
      event.preventDefault();
      frame.setPointerCapture(event.pointerId);
      start = point(event);
      frame.focus();
    }
    function move(event) {
      if (!start) return;
      var p = point(event);
      set({
        x: Math.min(start.x, p.x),
        y: Math.min(start.y, p.y),
        width: Math.abs(p.x - start.x),
        height: Math.abs(p.y - start.y),
      });
    }
    function end() {
      start = null;
    }
    function key(event) {
      var dx = { ArrowLeft: -1, ArrowRight: 1 }[event.key] || 0;
      var dy = { ArrowUp: -1, ArrowDown: 1 }[event.key] || 0;
      if (!dx && !dy) return;
      event.preventDefault();
      var step = event.altKey ? 1 : Math.max(4, Math.round(Math.min(width, height) / 50));
      // With nothing chosen yet, the keyboard starts from the middle half.
      var r = rect || { x: width / 4, y: height / 4, width: width / 2, height: height / 2 };
      if (event.shiftKey) {
        set({ x: r.x, y: r.y, width: r.width + dx * step, height: r.height + dy * step });
      } else {
        set({ x: r.x + dx * step, y: r.y + dy * step, width: r.width, height: r.height });
      }
    }
    var handlers = { pointerdown: down, pointermove: move, pointerup: end, pointercancel: end, keydown: key };
    Object.keys(handlers).forEach(function (name) {
      frame.addEventListener(name, handlers[name]);
    });

    return {
      destroy: function () {
        Object.keys(handlers).forEach(function (name) {
          frame.removeEventListener(name, handlers[name]);
        });
        box.remove();
        frame.classList.remove("selecting");
        frame.removeAttribute("tabindex");
      },
      clear: function () {
        set(null);
      },
      set: set,
      get: function () {
        return rect;
      },
    };
  }

  function loadImage(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        resolve({ img: img, url: url });
      };
      img.onerror = function () {
        URL.revokeObjectURL(url);
        reject(new Error("unreadable"));
      };
      img.src = url;
    });
  }

  // The image turned by quarter turns, as a canvas.
  function turned(img, quarter) {
    var canvas = document.createElement("canvas");
    var odd = quarter % 2 === 1;
    canvas.width = odd ? img.naturalHeight : img.naturalWidth;
    canvas.height = odd ? img.naturalWidth : img.naturalHeight;
    var ctx = canvas.getContext("2d");
    ctx.translate(canvas.width / 2, canvas.height / 2);
    ctx.rotate((quarter * Math.PI) / 2);
    ctx.drawImage(img, -img.naturalWidth / 2, -img.naturalHeight / 2);
    return canvas;
  }

  function cropped(canvas, rect) {
    var out = document.createElement("canvas");
    out.width = rect.width;
    out.height = rect.height;
    out.getContext("2d").drawImage(canvas, rect.x, rect.y, rect.width, rect.height, 0, 0, rect.width, rect.height);
    return out;
  }

  function toFile(canvas, name) {
    return new Promise(function (resolve) {
      canvas.toBlob(function (blob) {
        resolve(new File([blob], name.replace(/\.[^.]*$/, "") + ".png", { type: "image/png" }));
      }, "image/png");
    });
  }

  function button(label, className) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    if (className) b.className = className;
    return b;
  }

  function open(file, strings) {
    return loadImage(file).then(
      function (loaded) {
        return new Promise(function (resolve) {
          var quarter = 0;
          var canvas = turned(loaded.img, 0);
          var dialog = document.createElement("dialog");
          dialog.className = "cropper";
          dialog.setAttribute("aria-label", strings.cropTitle);
          var title = document.createElement("h2");
          title.textContent = strings.cropTitle;
          var help = document.createElement("p");
          help.className = "helptext";
          help.textContent = strings.cropHelp;
          var frame = document.createElement("div");
          frame.className = "crop-frame";
          frame.setAttribute("aria-label", strings.cropArea);
          frame.setAttribute("role", "application");
          var size = document.createElement("p");
          size.className = "helptext crop-size";
          size.setAttribute("aria-live", "polite");
          var left = button(strings.turnLeft, "secondary");
          var right = button(strings.turnRight, "secondary");
          var useSelection = button(strings.uploadSelection);
          var useWhole = button(strings.uploadWhole, "secondary");
          var cancel = button(strings.cancel, "secondary");
          var bar = document.createElement("div");
          bar.className = "row";
          bar.append(left, right, useSelection, useWhole, cancel);
          dialog.append(title, help, frame, size, bar);
          document.body.appendChild(dialog);
          var selection = null;

          function show() {
            if (selection) selection.destroy();
            frame.replaceChildren(canvas);
            canvas.className = "crop-canvas";
            selection = select(frame, canvas.width, canvas.height, function (rect) {
              useSelection.disabled = !rect;
              size.textContent = rect ? strings.cropSize.replace("{w}", rect.width).replace("{h}", rect.height) : "";
            });
            useSelection.disabled = true;
            size.textContent = "";
          }

          function done(value) {
            URL.revokeObjectURL(loaded.url);
            dialog.close();
            dialog.remove();
            resolve(value);
          }

          left.addEventListener("click", function () {
            quarter = (quarter + 3) % 4;
            canvas = turned(loaded.img, quarter);
            show();
          });
          right.addEventListener("click", function () {
            quarter = (quarter + 1) % 4;
            canvas = turned(loaded.img, quarter);
            show();
          });
          useSelection.addEventListener("click", function () {
            var rect = selection.get();
            if (rect) toFile(cropped(canvas, rect), file.name).then(done);
          });
          useWhole.addEventListener("click", function () {
            if (quarter === 0) done(file);
            else toFile(canvas, file.name).then(done);
          });
          cancel.addEventListener("click", function () {
            done(null);
          });
          dialog.addEventListener("cancel", function (event) {
            event.preventDefault();
            done(null);
          });
          frame.addEventListener("keydown", function (event) {
            if (event.key === "Enter" && selection.get()) useSelection.click();
          });
          show();
          dialog.showModal();
          frame.focus();
        });
      },
      function () {
        return file; // not an image the browser can show: upload it as it is, the server says what it is
      }
    );
  }

  window.OcrCropper = { select: select, open: open };
})();
