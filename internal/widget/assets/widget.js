/*
 * Kairo offer widget: enhances the server-rendered offer forms in place.
 *
 * Without this script every form still posts and the page shows the result.
 * With it, "Add to my order" / "Add to cart" and "No thanks" happen without
 * leaving the page, results appear inline, the post-purchase countdown runs
 * and the widget moves into the store element named by data-kairo-mount.
 *
 * Nothing leaks into the page's globals. Loaded twice, the second copy finds
 * every widget already marked data-kairo-ready and does nothing.
 */
(function () {
	"use strict";

	if (!window.fetch || !window.JSON || !window.performance || !Element.prototype.closest) {
		return; // an old browser keeps the plain form posts
	}

	var FALLBACK = {
		cart: "Added to your cart.",
		order: "Added to your order.",
		followUpNote: "One click places it as a separate order, linked to the one you just placed. No need to check out again.",
		completePayment: "Complete payment"
	};
	var BUSY_LABEL = "Adding\u2026";
	// Answers after which asking again cannot help: the offer stays shown, its button off.
	var FINAL = {
		payment_failed: true,
		out_of_stock: true,
		order_closed: true,
		expired: true,
		invalid: true,
		forbidden: true
	};
	var clocks = [];

	// mount, postJSON, answerText, report, value: shared.js, put here when served.
	/* kairo:shared.js */

	function init() {
		var roots = document.querySelectorAll("[data-kairo-widget]");
		for (var i = 0; i < roots.length; i++) {
			var root = roots[i];
			if (root.hasAttribute("data-kairo-ready")) {
				continue;
			}
			root.setAttribute("data-kairo-ready", "");
			root.addEventListener("submit", onSubmit);
			mount(root);
			var offers = root.querySelectorAll("[data-kairo-offer]");
			for (var j = 0; j < offers.length; j++) {
				watchClock(offers[j]);
			}
		}
		tick();
	}

	function onSubmit(event) {
		var form = event.target;
		var action = form.getAttribute("data-kairo-action");
		var offer = action ? form.closest("[data-kairo-offer]") : null;
		if (!offer) {
			return;
		}
		event.preventDefault(); // also while busy: a second click sends nothing
		var state = offer.getAttribute("data-kairo-state");
		if (action === "accept" && state === "ready") {
			accept(form, offer);
		} else if (action === "decline" && (state === "ready" || state === "failed")) {
			decline(form, offer);
		}
	}

	function accept(form, offer) {
		var button = form.querySelector("button");
		var label = button.textContent;
		var hadFocus = offer.contains(document.activeElement);
		offer.setAttribute("data-kairo-state", "busy");
		offer.setAttribute("aria-busy", "true");
		button.disabled = true;
		button.textContent = BUSY_LABEL;
		report(offer, "", "");
		post(form, false).then(function (answer) {
			offer.removeAttribute("aria-busy");
			button.textContent = label;
			if (answer.ok === true || answer.status === "accepted" || answer.status === "already_accepted") {
				accepted(offer, form, answer, hadFocus);
				return;
			}
			var status = report(offer, answerText(answer), answer.status === "in_progress" ? "info" : "error");
			if (FINAL[answer.status]) {
				offer.setAttribute("data-kairo-state", "failed");
				removeAll(offer, "[data-kairo-countdown]");
				if (hadFocus) {
					focusOn(status);
				}
			} else {
				offer.setAttribute("data-kairo-state", "ready");
				button.disabled = false;
				if (hadFocus) {
					button.focus();
				}
			}
			emit(offer, "kairo:failed", answer);
		});
	}

	// accepted replaces the forms with the success message, tells the
	// store's page that its cart or order changed and, where the widget
	// says so and no store script took care of it, reloads the page so the
	// store's own summary shows the new item and total.
	function accepted(offer, form, answer, hadFocus) {
		var root = offer.closest("[data-kairo-widget]");
		var cart = root && root.getAttribute("data-kairo-placement") === "cart";
		var followUp = answer.mode === "follow_up";
		var text = answer.message || (cart ? FALLBACK.cart : FALLBACK.order);
		if (answer.total) {
			text += (followUp ? " Total of the new order: " : " New total: ") + answer.total + ".";
		}
		// The store made a second order the buyer still pays for on its own
		// payment page (a path on this site, from the store's answer).
		var payAt = typeof answer.payment_url === "string" && answer.payment_url.charAt(0) === "/" && answer.payment_url.charAt(1) !== "/" ? answer.payment_url : "";
		if (followUp && root) {
			// Later offers will make separate orders too: say so before the click.
			var note = root.querySelector(".kairo-note");
			if (note) {
				note.textContent = FALLBACK.followUpNote;
			}
		}
		var back = form.elements.namedItem("return_to");
		var reload = root && root.getAttribute("data-kairo-after-add") === "reload";
		offer.setAttribute("data-kairo-state", "accepted");
		removeAll(offer, "[data-kairo-actions], [data-kairo-countdown]");
		var status = report(offer, text, "success");
		if (status && payAt) {
			var pay = document.createElement("a");
			pay.className = "kairo-link kairo-complete-payment";
			pay.href = payAt;
			pay.textContent = FALLBACK.completePayment;
			status.appendChild(pay);
		}
		if (status && cart && !reload) {
			var link = document.createElement("a");
			link.className = "kairo-link";
			link.href = back && back.value ? back.value : window.location.href;
			link.textContent = "View updated cart";
			status.appendChild(link);
		}
		if (hadFocus) {
			focusOn(status);
		}
		emit(offer, "kairo:accepted", answer);
		var handled = !emit(offer, cart ? "kairo:cart-changed" : "kairo:order-changed", answer, true);
		if (reload && !handled && !payAt) {
			window.setTimeout(function () {
				window.location.reload();
			}, 0);
		}
	}

	// decline hides the offer at once and records the decline on the side.
	function decline(form, offer) {
		offer.setAttribute("data-kairo-state", "declined");
		hide(offer);
		post(form, true).then(function (answer) {
			emit(offer, "kairo:declined", answer);
		});
	}

	// post sends the form's token and return_to (the page the offer is on,
	// which binds a post-purchase offer to its order).
	function post(form, keepalive) {
		return postJSON(form.action, { token: value(form, "token"), return_to: value(form, "return_to") }, keepalive);
	}

	function focusOn(element) {
		if (element) {
			element.setAttribute("tabindex", "-1");
			element.focus();
		}
	}

	function removeAll(offer, selector) {
		var found = offer.querySelectorAll(selector);
		for (var i = 0; i < found.length; i++) {
			found[i].parentNode.removeChild(found[i]);
		}
	}

	// hide hides an offer, and the whole widget once nothing is left in it.
	function hide(offer) {
		offer.hidden = true;
		var root = offer.closest("[data-kairo-widget]");
		if (root && !root.querySelector("[data-kairo-offer]:not([hidden]), [data-kairo-notice]")) {
			root.hidden = true;
		}
	}

	// emit dispatches a bubbling event on the offer. It returns false when
	// a cancelable event was cancelled (a listener called preventDefault).
	function emit(offer, name, answer, cancelable) {
		var root = offer.closest("[data-kairo-widget]");
		var detail = {
			offerId: offer.getAttribute("data-kairo-offer") || "",
			placement: root ? root.getAttribute("data-kairo-placement") || "" : "",
			status: answer.status || "",
			message: answer.message || "",
			total: answer.total || "",
			mode: answer.mode || (answer.status === "accepted" ? "edited" : "")
		};
		var event;
		try {
			event = new CustomEvent(name, { bubbles: true, cancelable: !!cancelable, detail: detail });
		} catch (e) {
			return true;
		}
		return offer.dispatchEvent(event);
	}

	// watchClock registers an offer's countdown. The server sends the time
	// left when it rendered the page; counting it from the start of this
	// page's navigation keeps the countdown right whatever the device's clock
	// says, and errs on the early side.
	function watchClock(offer) {
		var left = parseInt(offer.getAttribute("data-kairo-remaining-ms"), 10);
		if (!isNaN(left)) {
			clocks.push({ offer: offer, clock: offer.querySelector("[data-kairo-clock]"), deadline: left });
		}
	}

	// tick updates every countdown just after each whole second and retires
	// offers whose time is up (not while their accept is in flight).
	function tick() {
		var now = window.performance.now();
		var wait = 1000;
		clocks = clocks.filter(function (c) {
			var state = c.offer.getAttribute("data-kairo-state");
			if (state !== "ready" && state !== "busy") {
				return false;
			}
			var left = c.deadline - now;
			if (left <= 0) {
				if (state === "busy") {
					wait = Math.min(wait, 250);
					return true;
				}
				c.offer.setAttribute("data-kairo-state", "expired");
				hide(c.offer);
				emit(c.offer, "kairo:expired", { status: "expired" });
				return false;
			}
			if (c.clock) {
				c.clock.textContent = clock(Math.ceil(left / 1000));
			}
			wait = Math.min(wait, left % 1000 || 1000);
			return true;
		});
		if (clocks.length) {
			window.setTimeout(tick, wait + 10);
		}
	}

	// clock formats whole seconds as m:ss, or h:mm:ss from an hour up.
	function clock(seconds) {
		var h = Math.floor(seconds / 3600);
		var m = Math.floor(seconds / 60) % 60;
		var s = seconds % 60;
		return (h ? h + ":" + pad(m) : m) + ":" + pad(s);
	}

	function pad(n) {
		return n < 10 ? "0" + n : "" + n;
	}

	if (document.readyState === "loading") {
		document.addEventListener("DOMContentLoaded", init);
	} else {
		init();
	}
})();
