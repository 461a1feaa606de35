/*
 * Kairo post-purchase offer page: enhances the server-rendered forms.
 *
 * Without this script every form posts and the server redirects; the page
 * still works. With it, "Pay now" and "Decline this offer" answer in place
 * and the next step replaces the current one without a reload, the quantity
 * picker updates the amounts at once (the items' line and the amount charged
 * now, shipping included: formatted by the server for the order's locale,
 * carried on the options), and the countdown runs; at zero the buyer moves on to the
 * store's own confirmation page, unless an accept left a payment to complete
 * (a second order the store made, paid on its own payment page): then the
 * page waits with the "Complete payment" link.
 */
(function () {
	"use strict";

	if (!window.fetch || !window.JSON || !window.performance || !Element.prototype.closest) {
		return; // an old browser keeps the plain forms
	}

	var FALLBACK = "Sorry, something went wrong. Please try again.";
	var NETWORK = "We couldn't reach the store. Please check your connection and try again.";
	var page, live, continueURL, endsAt, paymentDue;

	function init() {
		page = document.querySelector("[data-kairo-page]");
		if (!page || page.hasAttribute("data-kairo-ready")) {
			return;
		}
		page.setAttribute("data-kairo-ready", "");
		live = page.querySelector("[data-kairo-live]");
		continueURL = page.getAttribute("data-kairo-continue") || "/";
		var left = parseInt(page.getAttribute("data-kairo-remaining-ms"), 10);
		endsAt = performance.now() + (isNaN(left) ? 0 : left);
		page.addEventListener("submit", onSubmit);
		page.addEventListener("change", onChange);
		tick();
	}

	// tick runs the countdown; at zero the offer is over for real.
	function tick() {
		if (paymentDue) {
			return; // the buyer has a payment to complete: no moving on
		}
		var left = endsAt - performance.now();
		if (left <= 0) {
			window.location.replace(continueURL);
			return;
		}
		var clocks = page.querySelectorAll("[data-kairo-clock]");
		for (var i = 0; i < clocks.length; i++) {
			clocks[i].textContent = clock(left);
		}
		window.setTimeout(tick, 1000 - (left % 1000) + 5);
	}

	function clock(ms) {
		var s = Math.ceil(ms / 1000);
		var h = Math.floor(s / 3600);
		var m = Math.floor((s % 3600) / 60);
		var sec = s % 60;
		var mm = h > 0 && m < 10 ? "0" + m : String(m);
		return (h > 0 ? h + ":" : "") + mm + ":" + (sec < 10 ? "0" : "") + sec;
	}

	// onChange applies a new quantity at once: the amounts on the chosen
	// option come from the server.
	function onChange(event) {
		var select = event.target;
		if (!select.closest("[data-kairo-action=quantity]")) {
			return;
		}
		var step = select.closest("[data-kairo-step]");
		if (select.name === "kairo_variant") {
			var variant = step.querySelector("[data-kairo-variant-field]");
			if (variant) {
				variant.value = select.value;
			}
			return;
		}
		if (select.name !== "kairo_quantity") {
			return;
		}
		var option = select.options[select.selectedIndex];
		var amount = option.getAttribute("data-kairo-amount-for");
		setText(step, "[data-kairo-quantity]", option.value);
		setText(step, "[data-kairo-line]", option.getAttribute("data-kairo-line-for") || amount);
		setText(step, "[data-kairo-amount]", amount);
		var field = step.querySelector("[data-kairo-quantity-field]");
		if (field) {
			field.value = option.value;
		}
		var pay = step.querySelector(".kairo-pay");
		pay.textContent = pay.getAttribute("data-kairo-pay-label").replace("{amount}", amount);
	}

	function setText(root, selector, text) {
		var nodes = root.querySelectorAll(selector);
		for (var i = 0; i < nodes.length; i++) {
			nodes[i].textContent = text;
		}
	}

	function onSubmit(event) {
		var form = event.target;
		var action = form.getAttribute("data-kairo-action");
		if (action !== "accept" && action !== "decline") {
			return; // continue and the no-script quantity form stay plain
		}
		event.preventDefault();
		var step = form.closest("[data-kairo-step]");
		if (!step || step.getAttribute("data-kairo-state") === "busy") {
			return;
		}
		send(form, step, action);
	}

	function send(form, step, action) {
		var buttons = step.querySelectorAll("button");
		var pay = step.querySelector(".kairo-pay");
		var label = pay.textContent;
		step.setAttribute("data-kairo-state", "busy");
		step.setAttribute("aria-busy", "true");
		for (var i = 0; i < buttons.length; i++) {
			buttons[i].disabled = true;
		}
		if (action === "accept") {
			pay.textContent = pay.getAttribute("data-kairo-busy-label");
		}
		live.textContent = "";
		var body = {};
		var fields = form.elements;
		for (var j = 0; j < fields.length; j++) {
			if (fields[j].name) {
				body[fields[j].name] = fields[j].value;
			}
		}
		window.fetch(form.action, {
			method: "POST",
			credentials: "same-origin",
			headers: {"Content-Type": "application/json", "Accept": "application/json"},
			body: JSON.stringify(body)
		}).then(function (resp) {
			return resp.json().catch(function () {
				return {ok: false, message: FALLBACK};
			});
		}, function () {
			return {ok: false, message: NETWORK, retry: true};
		}).then(function (answer) {
			if (answer.html !== undefined && answer.html !== "") {
				show(answer);
				return;
			}
			if (answer.done) {
				window.location.assign(answer.continue_url || continueURL);
				return;
			}
			// Failed: say so, and let the buyer try again or move on.
			step.removeAttribute("aria-busy");
			step.setAttribute("data-kairo-state", answer.retry ? "ready" : "failed");
			pay.textContent = label;
			for (var k = 0; k < buttons.length; k++) {
				buttons[k].disabled = false;
			}
			if (!answer.retry) {
				pay.disabled = true;
			}
			live.textContent = answer.message || FALLBACK;
			var notice = document.createElement("p");
			notice.className = "kairo-notice kairo-notice--error";
			notice.setAttribute("data-kairo-notice", "");
			notice.textContent = answer.message || FALLBACK;
			var old = page.querySelector("[data-kairo-notice]");
			if (old) {
				old.parentNode.removeChild(old);
			}
			step.parentNode.insertBefore(notice, step);
		});
	}

	// show swaps in what the server rendered next (the next step, or the
	// end of the offers), announces the result and moves focus to it.
	function show(answer) {
		if (answer.payment_url) {
			paymentDue = true;
		}
		var main = page.querySelector("[data-kairo-main]");
		main.innerHTML = answer.html;
		var token = main.querySelector("input[name=token]");
		var skip = page.querySelector("[data-kairo-action=continue] input[name=token]");
		if (token && skip) {
			skip.value = token.value;
		}
		// Announce what the page now says (the new total with it), not just
		// the bare result.
		var notice = main.querySelector("[data-kairo-notice]");
		live.textContent = notice ? notice.textContent : answer.message || "";
		var heading = main.querySelector("h2[tabindex]");
		if (heading) {
			heading.focus();
		}
	}

	if (document.readyState === "loading") {
		document.addEventListener("DOMContentLoaded", init);
	} else {
		init();
	}
})();
