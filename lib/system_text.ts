/**
 * @module What the server itself writes into a conversation (system messages about calls, a
 * failed reply, a handoff), in the language the visitor's widget speaks. The frame records its
 * language in the session's `metadata.locale`; anything else falls back to English.
 */
import { type Locale, matchLocale } from "./locale.ts";

/** Why a call did not connect, as Retell's disconnection reasons group. */
export type NotConnected = "noAnswer" | "busy" | "unreachable" | "notJoined" | "noService" | "full";

/** The server's words in one language. */
export interface SystemText {
  callStartPhone(phone: string): string;
  callStartWeb: string;
  /** `duration` is already formatted (m:ss). */
  callEnded(duration?: string): string;
  callNotConnected(why: NotConnected): string;
  callStartFailed: string;
  callSummary(summary: string): string;
  agentFailed: string;
  handoff: string;
}

const en: SystemText = {
  callStartPhone: (phone) => `Transitioning to voice call. Calling ${phone}...`,
  callStartWeb: "Starting a voice call in your browser…",
  callEnded: (d) => d ? `Voice call ended · ${d}` : "Voice call ended",
  callNotConnected: (why) =>
    `The voice call did not connect: ${
      {
        noAnswer: "no answer",
        busy: "the line was busy",
        unreachable: "the number could not be reached",
        notJoined: "the call was not joined",
        noService: "the voice service is unavailable",
        full: "all lines are busy, please try again shortly",
      }[why]
    }.`,
  callStartFailed:
    "The call could not be started. Your conversation is kept; you can keep chatting here or try the call again.",
  callSummary: (s) => `Call summary: ${s}`,
  agentFailed: "The assistant could not answer just now. Your message was kept; please try again.",
  handoff: "A teammate has been asked to join. They'll reply here.",
};

const TEXT: Record<Locale, SystemText> = {
  en,
  es: {
    callStartPhone: (p) => `Pasamos a una llamada de voz. Llamando al ${p}…`,
    callStartWeb: "Iniciando una llamada de voz en tu navegador…",
    callEnded: (d) => d ? `Llamada de voz finalizada · ${d}` : "Llamada de voz finalizada",
    callNotConnected: (w) =>
      `No se pudo conectar la llamada: ${
        {
          noAnswer: "nadie respondió",
          busy: "la línea estaba ocupada",
          unreachable: "no se pudo contactar con el número",
          notJoined: "nadie se unió a la llamada",
          noService: "el servicio de voz no está disponible",
          full: "todas las líneas están ocupadas; inténtalo de nuevo en un momento",
        }[w]
      }.`,
    callStartFailed:
      "No se pudo iniciar la llamada. Tu conversación se conserva; puedes seguir escribiendo aquí o volver a intentar la llamada.",
    callSummary: (s) => `Resumen de la llamada: ${s}`,
    agentFailed:
      "El asistente no ha podido responder ahora. Tu mensaje se ha guardado; inténtalo de nuevo.",
    handoff: "Hemos pedido a una persona del equipo que se una. Te responderá aquí.",
  },
  fr: {
    callStartPhone: (p) => `Passage à un appel vocal. Appel du ${p}…`,
    callStartWeb: "Lancement d'un appel vocal dans votre navigateur…",
    callEnded: (d) => d ? `Appel vocal terminé · ${d}` : "Appel vocal terminé",
    callNotConnected: (w) =>
      `L'appel n'a pas abouti : ${
        {
          noAnswer: "pas de réponse",
          busy: "la ligne était occupée",
          unreachable: "le numéro est injoignable",
          notJoined: "personne n'a rejoint l'appel",
          noService: "le service vocal est indisponible",
          full: "toutes les lignes sont occupées, réessayez dans un instant",
        }[w]
      }.`,
    callStartFailed:
      "L'appel n'a pas pu démarrer. Votre conversation est conservée ; vous pouvez continuer à écrire ici ou réessayer l'appel.",
    callSummary: (s) => `Résumé de l'appel : ${s}`,
    agentFailed:
      "L'assistant n'a pas pu répondre pour le moment. Votre message est conservé ; veuillez réessayer.",
    handoff: "Nous avons demandé à un membre de l'équipe de vous rejoindre. Il vous répondra ici.",
  },
  de: {
    callStartPhone: (p) => `Wechsel zu einem Sprachanruf. ${p} wird angerufen …`,
    callStartWeb: "Sprachanruf im Browser wird gestartet …",
    callEnded: (d) => d ? `Sprachanruf beendet · ${d}` : "Sprachanruf beendet",
    callNotConnected: (w) =>
      `Der Anruf kam nicht zustande: ${
        {
          noAnswer: "niemand hat abgenommen",
          busy: "die Leitung war besetzt",
          unreachable: "die Nummer war nicht erreichbar",
          notJoined: "niemand ist dem Anruf beigetreten",
          noService: "der Sprachdienst ist nicht verfügbar",
          full: "alle Leitungen sind belegt, bitte versuchen Sie es gleich noch einmal",
        }[w]
      }.`,
    callStartFailed:
      "Der Anruf konnte nicht gestartet werden. Ihre Unterhaltung bleibt erhalten; Sie können hier weiterschreiben oder es erneut versuchen.",
    callSummary: (s) => `Zusammenfassung des Anrufs: ${s}`,
    agentFailed:
      "Der Assistent konnte gerade nicht antworten. Ihre Nachricht ist gespeichert; bitte versuchen Sie es erneut.",
    handoff: "Wir haben ein Teammitglied gebeten, dazuzukommen. Die Antwort erscheint hier.",
  },
  it: {
    callStartPhone: (p) => `Passiamo a una chiamata vocale. Chiamata al ${p}…`,
    callStartWeb: "Avvio di una chiamata vocale nel browser…",
    callEnded: (d) => d ? `Chiamata vocale terminata · ${d}` : "Chiamata vocale terminata",
    callNotConnected: (w) =>
      `La chiamata non è andata a buon fine: ${
        {
          noAnswer: "nessuna risposta",
          busy: "la linea era occupata",
          unreachable: "il numero non è raggiungibile",
          notJoined: "nessuno si è collegato alla chiamata",
          noService: "il servizio vocale non è disponibile",
          full: "tutte le linee sono occupate, riprova tra poco",
        }[w]
      }.`,
    callStartFailed:
      "Non è stato possibile avviare la chiamata. La conversazione è salvata; puoi continuare a scrivere qui o riprovare la chiamata.",
    callSummary: (s) => `Riepilogo della chiamata: ${s}`,
    agentFailed:
      "L'assistente non è riuscito a rispondere in questo momento. Il tuo messaggio è salvato; riprova.",
    handoff: "Abbiamo chiesto a una persona del team di unirsi. Ti risponderà qui.",
  },
  pt: {
    callStartPhone: (p) => `Passando para uma chamada de voz. Ligando para ${p}…`,
    callStartWeb: "Iniciando uma chamada de voz no seu navegador…",
    callEnded: (d) => d ? `Chamada de voz encerrada · ${d}` : "Chamada de voz encerrada",
    callNotConnected: (w) =>
      `A chamada não foi completada: ${
        {
          noAnswer: "ninguém atendeu",
          busy: "a linha estava ocupada",
          unreachable: "não foi possível contatar o número",
          notJoined: "ninguém entrou na chamada",
          noService: "o serviço de voz está indisponível",
          full: "todas as linhas estão ocupadas, tente novamente em instantes",
        }[w]
      }.`,
    callStartFailed:
      "Não foi possível iniciar a chamada. Sua conversa foi mantida; você pode continuar escrevendo aqui ou tentar ligar de novo.",
    callSummary: (s) => `Resumo da chamada: ${s}`,
    agentFailed:
      "O assistente não conseguiu responder agora. Sua mensagem foi guardada; tente novamente.",
    handoff: "Pedimos a alguém da equipe para entrar na conversa. A resposta virá aqui.",
  },
  nl: {
    callStartPhone: (p) => `We schakelen over naar een spraakgesprek. ${p} wordt gebeld…`,
    callStartWeb: "Spraakgesprek in je browser wordt gestart…",
    callEnded: (d) => d ? `Spraakgesprek beëindigd · ${d}` : "Spraakgesprek beëindigd",
    callNotConnected: (w) =>
      `Het gesprek kwam niet tot stand: ${
        {
          noAnswer: "er werd niet opgenomen",
          busy: "de lijn was bezet",
          unreachable: "het nummer was niet bereikbaar",
          notJoined: "niemand nam deel aan het gesprek",
          noService: "de spraakdienst is niet beschikbaar",
          full: "alle lijnen zijn bezet, probeer het zo opnieuw",
        }[w]
      }.`,
    callStartFailed:
      "Het gesprek kon niet worden gestart. Je chat blijft bewaard; je kunt hier verder chatten of opnieuw bellen.",
    callSummary: (s) => `Samenvatting van het gesprek: ${s}`,
    agentFailed:
      "De assistent kon nu geen antwoord geven. Je bericht is bewaard; probeer het opnieuw.",
    handoff: "We hebben een collega gevraagd om mee te doen. Het antwoord verschijnt hier.",
  },
  ja: {
    callStartPhone: (p) => `音声通話に切り替えます。${p} に発信しています…`,
    callStartWeb: "ブラウザで音声通話を開始しています…",
    callEnded: (d) => d ? `音声通話が終了しました · ${d}` : "音声通話が終了しました",
    callNotConnected: (w) =>
      `通話がつながりませんでした：${
        {
          noAnswer: "応答がありませんでした",
          busy: "話し中でした",
          unreachable: "番号に接続できませんでした",
          notJoined: "通話に参加されませんでした",
          noService: "音声サービスを利用できません",
          full: "回線が混み合っています。少し待ってからもう一度お試しください",
        }[w]
      }。`,
    callStartFailed:
      "通話を開始できませんでした。会話はそのまま残っています。このままチャットを続けるか、もう一度通話をお試しください。",
    callSummary: (s) => `通話の要約：${s}`,
    agentFailed:
      "アシスタントが今は応答できませんでした。メッセージは保存されています。もう一度お試しください。",
    handoff: "担当者に参加を依頼しました。こちらで返信します。",
  },
  zh: {
    callStartPhone: (p) => `正在转为语音通话，正在呼叫 ${p}…`,
    callStartWeb: "正在浏览器中发起语音通话…",
    callEnded: (d) => d ? `语音通话已结束 · ${d}` : "语音通话已结束",
    callNotConnected: (w) =>
      `语音通话未能接通：${
        {
          noAnswer: "无人接听",
          busy: "对方忙线",
          unreachable: "无法接通该号码",
          notJoined: "无人加入通话",
          noService: "语音服务暂不可用",
          full: "所有线路都在忙，请稍后重试",
        }[w]
      }。`,
    callStartFailed: "无法发起通话。对话已保留，你可以继续在这里聊天，或再次尝试通话。",
    callSummary: (s) => `通话摘要：${s}`,
    agentFailed: "助手暂时无法回复。你的消息已保存，请重试。",
    handoff: "已请团队成员加入，他们会在这里回复你。",
  },
  ar: {
    callStartPhone: (p) => `جارٍ الانتقال إلى مكالمة صوتية. جارٍ الاتصال بالرقم ‎${p}…`,
    callStartWeb: "جارٍ بدء مكالمة صوتية في متصفحك…",
    callEnded: (d) => d ? `انتهت المكالمة الصوتية · ${d}` : "انتهت المكالمة الصوتية",
    callNotConnected: (w) =>
      `تعذّر إجراء المكالمة الصوتية: ${
        {
          noAnswer: "لم يرد أحد",
          busy: "الخط مشغول",
          unreachable: "تعذّر الوصول إلى الرقم",
          notJoined: "لم ينضم أحد إلى المكالمة",
          noService: "الخدمة الصوتية غير متاحة",
          full: "جميع الخطوط مشغولة، حاول مرة أخرى بعد قليل",
        }[w]
      }.`,
    callStartFailed:
      "تعذّر بدء المكالمة. محادثتك محفوظة؛ يمكنك متابعة الكتابة هنا أو محاولة الاتصال مرة أخرى.",
    callSummary: (s) => `ملخص المكالمة: ${s}`,
    agentFailed: "تعذّر على المساعد الرد الآن. حفظنا رسالتك؛ يُرجى المحاولة مرة أخرى.",
    handoff: "طلبنا من أحد أعضاء الفريق الانضمام. سيرد عليك هنا.",
  },
  he: {
    callStartPhone: (p) => `עוברים לשיחה קולית. מתקשרים אל ‎${p}…`,
    callStartWeb: "מתחילים שיחה קולית בדפדפן…",
    callEnded: (d) => d ? `השיחה הקולית הסתיימה · ${d}` : "השיחה הקולית הסתיימה",
    callNotConnected: (w) =>
      `השיחה הקולית לא התחברה: ${
        {
          noAnswer: "לא היה מענה",
          busy: "הקו היה תפוס",
          unreachable: "לא ניתן היה להשיג את המספר",
          notJoined: "אף אחד לא הצטרף לשיחה",
          noService: "שירות הקול אינו זמין",
          full: "כל הקווים תפוסים, נסו שוב בעוד רגע",
        }[w]
      }.`,
    callStartFailed:
      "לא ניתן היה להתחיל את השיחה. השיחה בצ'אט נשמרה; אפשר להמשיך לכתוב כאן או לנסות להתקשר שוב.",
    callSummary: (s) => `סיכום השיחה: ${s}`,
    agentFailed: "העוזר לא הצליח לענות כרגע. ההודעה שלך נשמרה; נסו שוב.",
    handoff: "ביקשנו מחבר צוות להצטרף. התשובה תופיע כאן.",
  },
};

/** The server's words for a session, by the locale its widget recorded (else English). */
export function systemText(metadata: unknown): SystemText {
  const tag = (metadata as { locale?: unknown } | null)?.locale;
  return TEXT[matchLocale(typeof tag === "string" ? tag : undefined) ?? "en"];
}

/** Every locale's words, for the test that checks each locale is complete. */
export const SYSTEM_TEXT: Readonly<Record<Locale, SystemText>> = TEXT;
