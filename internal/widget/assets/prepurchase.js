/*
 * Kairo pre-purchase placements: the product page's "frequently bought
 * together", the checkout's order bump and the add-to-cart pop-up.
 *
 * Without this script the bundle and the bump are plain forms that post and
 * come back; the pop-up never shows. With it, they add to the cart in place,
 * tell the store ("kairo:cart-changed", and a reload with after_add
 * reload), and the pop-up opens after an add-to-cart.
 *
 * Nothing leaks into the page's globals; loaded twice, the second copy sees
 * the mark on <html> and does nothing.
 */
(function () {
	"use strict";

	var html = document.documentElement;
	if (!window.fetch || !window.DOMParser || !Element.prototype.closest || html.hasAttribute("data-kairo-prepurchase")) {
		return;
	}
	html.setAttribute("data-kairo-prepurchase", "");

	var ADDED_COOKIE = "kairo_added";
	var ADDED = "Added to your cart.";
	var popupShown = false; // at most one pop-up per page view

	// mount, postJSON, answerText, report, value: shared.js, put here when served.
	/* kairo:shared.js */

	function init() {
		var roots = document.querySelectorAll("[data-kairo-widget]");
		for (var i = 0; i < roots.length; i++) {
			var root = roots[i];
			var placement = root.getAttribute("data-kairo-placement");
			if (root.hasAttribute("data-kairo-ready") || (placement !== "product" && placement !== "checkout")) {
				continue;
			}
			root.setAttribute("data-kairo-ready", "");
			mount(root);
			if (placement === "product") {
				bundle(root);
			} else {
				bump(root);
			}
		}
		var loader = document.querySelector("[data-kairo-popup-loader]");
		if (loader) {
			watchAdds(loader);
		}
	}

	// bundle runs a product page's "frequently bought together".
	function bundle(root) {
		var form = root.querySelector("form[data-kairo-action=accept-many]");
		if (!form) {
			return;
		}
		var totals = [];
		try {
			totals = JSON.parse(root.getAttribute("data-kairo-totals") || "[]");
		} catch (e) {
			totals = [];
		}
		var boxes = form.querySelectorAll("input[name=token]");
		var button = form.querySelector("button[type=submit]");
		function update() {
			var mask = 0;
			for (var i = 0; i < boxes.length; i++) {
				if (boxes[i].checked && !boxes[i].disabled) {
					mask |= 1 << i;
				}
			}
			var t = totals[mask];
			if (t) {
				setText(root, "[data-kairo-total-price]", t.price);
				setText(root, "[data-kairo-total-saving]", t.saving || "");
				setText(root, "[data-kairo-together]", t.together || "");
				var line = root.querySelector("[data-kairo-total-saving-line]");
				if (line) {
					line.hidden = !t.saving;
				}
			}
			button.disabled = mask === 0 || root.getAttribute("data-kairo-state") === "busy";
			return mask;
		}
		form.addEventListener("change", update);
		form.addEventListener("submit", function (event) {
			event.preventDefault();
			if (root.getAttribute("data-kairo-state") === "busy" || update() === 0) {
				return;
			}
			var tokens = [];
			var chosen = [];
			for (var i = 0; i < boxes.length; i++) {
				if (boxes[i].checked && !boxes[i].disabled) {
					tokens.push(boxes[i].value);
					chosen.push(boxes[i].closest("[data-kairo-offer]"));
				}
			}
			var label = button.textContent;
			root.setAttribute("data-kairo-state", "busy");
			root.setAttribute("aria-busy", "true");
			button.disabled = true;
			button.textContent = "Adding\u2026";
			report(root, "", "");
			postJSON(form.action, { tokens: tokens, return_to: value(form, "return_to") }).then(function (answer) {
				root.removeAttribute("aria-busy");
				button.textContent = label;
				var results = answer.results || [{ offer_id: chosen[0] && chosen[0].getAttribute("data-kairo-offer"), status: answer.status }];
				var added = [];
				for (var j = 0; j < chosen.length; j++) {
					var r = results[j] || {};
					if (r.status === "accepted") {
						chosen[j].setAttribute("data-kairo-state", "accepted");
						var box = chosen[j].querySelector("input[name=token]");
						box.disabled = true;
						added.push(chosen[j].getAttribute("data-kairo-offer"));
					} else {
						chosen[j].setAttribute("data-kairo-state", "failed");
					}
				}
				root.setAttribute("data-kairo-state", added.length === chosen.length ? "accepted" : "ready");
				report(root, answerText(answer, ADDED), answer.ok ? "success" : "error");
				update();
				if (added.length) {
					cartChanged(root, added, answer);
				}
			});
		});
		update();
	}

	// bump runs the checkout's order bump: the toggle adds the offer once.
	function bump(root) {
		root.addEventListener("submit", function (event) {
			var form = event.target.closest("form[data-kairo-offer]");
			if (!form) {
				return;
			}
			event.preventDefault();
			if (form.getAttribute("data-kairo-state") !== "ready") {
				return;
			}
			var toggle = form.querySelector(".kairo-bump-toggle");
			form.setAttribute("data-kairo-state", "busy");
			form.setAttribute("aria-busy", "true");
			toggle.disabled = true;
			report(form, "", "");
			postJSON(form.action, { token: value(form, "token"), return_to: value(form, "return_to") }).then(function (answer) {
				form.removeAttribute("aria-busy");
				if (answer.status === "accepted") {
					form.setAttribute("data-kairo-state", "accepted");
					toggle.setAttribute("aria-pressed", "true");
					toggle.focus();
					cartChanged(root, [form.getAttribute("data-kairo-offer")], answer);
					return;
				}
				form.setAttribute("data-kairo-state", "ready");
				toggle.disabled = false;
				report(form, answerText(answer), "error");
			});
		});
	}

	// cartChanged tells the store the cart changed, and reloads the page
	// when the operator asked for it.
	function cartChanged(root, offerIds, answer) {
		emit(root, "kairo:cart-changed", {
			placement: root.getAttribute("data-kairo-placement") || "",
			offerIds: offerIds,
			total: answer.total || ""
		});
		if (root.getAttribute("data-kairo-after-add") === "reload") {
			window.location.reload();
		}
	}

	// watchAdds opens the pop-up after an add-to-cart: at once when the page
	// follows one (a form post), or when a fetch to a store URL named in
	// data-kairo-popup-after answers.
	function watchAdds(loader) {
		var src = loader.getAttribute("data-kairo-popup-src");
		var after = (loader.getAttribute("data-kairo-popup-after") || "").split(",");
		if (takeAddedMark()) {
			openPopup(src);
		}
		var original = window.fetch;
		window.fetch = function (input, init) {
			var promise = original.apply(this, arguments);
			if (isAdd(input, init, after)) {
				promise.then(function (response) {
					if (response.ok && takeAddedMark()) {
						openPopup(src);
					}
				}, function () {});
			}
			return promise;
		};
	}

	// isAdd reports whether a fetch goes to one of the add-to-cart URLs.
	function isAdd(input, init, after) {
		var url, method;
		try {
			url = new URL(typeof input === "string" ? input : input.url, window.location.href);
			method = ((init && init.method) || (typeof input === "string" ? "GET" : input.method) || "GET").toUpperCase();
		} catch (e) {
			return false;
		}
		if (url.origin !== window.location.origin) {
			return false;
		}
		for (var i = 0; i < after.length; i++) {
			var parts = after[i].trim().split(" ");
			if (parts[0] === method && pathMatches(parts[1], url.pathname)) {
				return true;
			}
		}
		return false;
	}

	function pathMatches(pattern, path) {
		if (!pattern) {
			return false;
		}
		if (pattern.charAt(pattern.length - 1) === "*") {
			return path.indexOf(pattern.slice(0, -1)) === 0;
		}
		return path === pattern;
	}

	// takeAddedMark reports whether Kairo marked a successful add-to-cart,
	// and clears the mark so that it counts once.
	function takeAddedMark() {
		var found = document.cookie.split(";").some(function (c) {
			return c.trim().indexOf(ADDED_COOKIE + "=") === 0;
		});
		if (found) {
			document.cookie = ADDED_COOKIE + "=; Max-Age=0; Path=/; SameSite=Lax" + (window.location.protocol === "https:" ? "; Secure" : "");
		}
		return found;
	}

	// openPopup fetches the pop-up for the new cart and opens it, once per
	// page view; a 204 (nothing to offer, capped, store down) shows nothing.
	function openPopup(src) {
		if (popupShown) {
			return;
		}
		popupShown = true;
		var back = window.location.pathname + window.location.search;
		fetch(src + "?return_to=" + encodeURIComponent(back), {
			credentials: "same-origin",
			headers: { "Accept": "text/html" }
		}).then(function (response) {
			return response.status === 200 ? response.text() : "";
		}).then(function (text) {
			if (text) {
				showDialog(text);
			}
		}, function () {});
	}

	// showDialog puts the pop-up into the page as a modal dialog: focus
	// moves in and stays in (Tab wraps), Esc, the close buttons and a click
	// on the backdrop close it, and focus returns where it was.
	function showDialog(text) {
		var doc = new DOMParser().parseFromString(text, "text/html");
		var dialog = doc.querySelector("dialog[data-kairo-widget]");
		if (!dialog || typeof dialog.showModal !== "function") {
			return;
		}
		dialog = document.importNode(dialog, true);
		var opener = document.activeElement;
		document.body.appendChild(dialog);
		dialog.setAttribute("data-kairo-ready", "");
		function close() {
			if (dialog.open) {
				dialog.close();
			}
		}
		dialog.addEventListener("close", function () {
			dialog.parentNode.removeChild(dialog);
			if (opener && opener.focus && document.contains(opener) && opener !== document.body) {
				opener.focus();
			}
		});
		dialog.addEventListener("click", function (event) {
			if (event.target === dialog || event.target.closest("[data-kairo-close]")) {
				close();
			}
		});
		dialog.addEventListener("keydown", function (event) {
			if (event.key === "Tab") {
				trapTab(dialog, event);
			}
		});
		dialog.addEventListener("submit", function (event) {
			var form = event.target;
			var offer = form.closest("[data-kairo-offer]");
			if (!offer) {
				return;
			}
			event.preventDefault();
			if (offer.getAttribute("data-kairo-state") === "ready") {
				acceptInPopup(dialog, form, offer);
			}
		});
		dialog.showModal();
		var first = dialog.querySelector(".kairo-accept, [data-kairo-close]");
		if (first) {
			first.focus();
		}
		emit(dialog, "kairo:popup-opened", {});
	}

	// trapTab keeps Tab and Shift+Tab inside the dialog.
	function trapTab(dialog, event) {
		var all = dialog.querySelectorAll("a[href], button:not([disabled]), input:not([disabled]), [tabindex]:not([tabindex='-1'])");
		var list = [];
		for (var i = 0; i < all.length; i++) {
			if (all[i].offsetParent !== null) {
				list.push(all[i]);
			}
		}
		if (!list.length) {
			return;
		}
		var first = list[0];
		var last = list[list.length - 1];
		if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
			event.preventDefault();
			last.focus();
		} else if (!event.shiftKey && document.activeElement === last) {
			event.preventDefault();
			first.focus();
		}
	}

	function acceptInPopup(dialog, form, offer) {
		var button = form.querySelector("button");
		offer.setAttribute("data-kairo-state", "busy");
		button.disabled = true;
		postJSON(form.action, { token: value(form, "token"), return_to: value(form, "return_to") }).then(function (answer) {
			if (answer.status === "accepted") {
				offer.setAttribute("data-kairo-state", "accepted");
				var actions = offer.querySelector("[data-kairo-actions]");
				if (actions) {
					actions.parentNode.removeChild(actions);
				}
				var status = report(offer, answerText(answer, ADDED), "success");
				if (status) {
					status.setAttribute("tabindex", "-1");
					status.focus();
				}
				cartChanged(dialog, [offer.getAttribute("data-kairo-offer")], answer);
				return;
			}
			offer.setAttribute("data-kairo-state", "ready");
			button.disabled = false;
			report(offer, answerText(answer), "error");
		});
	}

	function setText(root, selector, text) {
		var el = root.querySelector(selector);
		if (el) {
			el.textContent = text;
		}
	}

	function emit(target, name, detail) {
		var event;
		try {
			event = new CustomEvent(name, { bubbles: true, detail: detail });
		} catch (e) {
			return;
		}
		target.dispatchEvent(event);
	}

	if (document.readyState === "loading") {
		document.addEventListener("DOMContentLoaded", init);
	} else {
		init();
	}
})();
