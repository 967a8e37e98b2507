/*
 * stats_out: writing a protected table (CSV, JSON, SVG, HTML) and reading
 * a JSON export back (for `stats merge` and the ledger), with a small
 * catalogue of titles, labels and notes in en, es, fr, pt-BR, th and ar.
 *
 * Every output says what the figures are (reports received, not how often
 * violations occur) and the policy that protected them. Writers see only
 * the published state of each cell, never the count behind it.
 */
#include "stats.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static const char *const DIM_NAMES[STATS_NDIMS] = {
    "period", "category", "perpetrator", "region", "lang", "needs"};

const char *
stats_dim_name(enum stats_dim d)
{
    return (unsigned)d < STATS_NDIMS ? DIM_NAMES[d] : "?";
}

const char *
stats_period_name(enum stats_period p)
{
    return p == STATS_MONTH ? "month" : p == STATS_QUARTER ? "quarter" : "year";
}

/* ---- catalogue ------------------------------------------------------- */

enum { L_EN, L_ES, L_FR, L_PT, L_TH, L_AR, NLANG };
static const char *const LANGS[NLANG] = {"en", "es", "fr", "pt-BR", "th", "ar"};

enum msg {
    M_TITLE, /* {1} = dimension names */
    M_AND,
    M_TOTAL,
    M_REPORTS,
    M_RANGE, /* {1} from {2} to {3} exported */
    M_COUNTS,
    M_SMALL,  /* {1} marker {2} threshold */
    M_HIDDEN, /* {1} marker */
    M_ROUND,  /* {1} base */
    M_MULTI,
    M_NOISE, /* {1} epsilon */
    M_DRAFT,
    M_MERGED, /* {1} n */
    M_SHOWN_TOP,
    M_DIM0, /* + dimension */
    NMSG = M_DIM0 + STATS_NDIMS
};

static const char *const MSG[NLANG][NMSG] = {
    [L_EN] =
        {"Reports received by {1}",
         " and ",
         "Total",
         "Reports",
         "Reports received from {1} to {2}. Exported {3}.",
         "These figures count reports received by the organisation. They are "
         "not a measure of how often violations happen: most violations are "
         "never reported.",
         "{1}: fewer than {2} reports; the exact number is hidden to protect "
         "the people who reported.",
         "{1}: hidden so that a small number cannot be worked out from the "
         "totals.",
         "Other figures are rounded to the nearest {1}; each total is rounded "
         "on its own, so rows may not add up to the total.",
         "One report can count in several categories or needs: totals count "
         "reports, not the sum of the rows.",
         "Random noise was added before rounding (discrete Laplace, epsilon = "
         "{1}), so small differences between figures mean nothing.",
         "Draft for internal use: not recorded in the publication ledger.",
         "Combined from {1} organisations' published figures, each already "
         "protected; a report sent to two organisations counts twice.",
         "Only the largest series are drawn; the table has them all.",
         "period",
         "type of incident",
         "perpetrator",
         "region",
         "reporter's language",
         "needs stated"},
    [L_ES] =
        {"Reportes recibidos por {1}",
         " y ",
         "Total",
         "Reportes",
         "Reportes recibidos del {1} al {2}. Exportado el {3}.",
         "Estas cifras cuentan los reportes recibidos por la organización. No "
         "miden con qué frecuencia ocurren las violaciones: la mayoría nunca "
         "se reporta.",
         "{1}: menos de {2} reportes; la cifra exacta se oculta para proteger "
         "a quienes reportaron.",
         "{1}: oculto para que no se pueda deducir una cifra pequeña a partir "
         "de los totales.",
         "Las demás cifras se redondean al múltiplo de {1} más cercano; cada "
         "total se redondea por separado, por lo que las filas pueden no "
         "sumar el total.",
         "Un reporte puede contar en varias categorías o necesidades: los "
         "totales cuentan reportes, no la suma de las filas.",
         "Se añadió ruido aleatorio antes del redondeo (Laplace discreta, "
         "épsilon = {1}), así que las pequeñas diferencias no significan "
         "nada.",
         "Borrador para uso interno: no registrado en el registro de "
         "publicaciones.",
         "Combinado a partir de las cifras publicadas de {1} organizaciones, "
         "ya protegidas; un reporte enviado a dos organizaciones cuenta dos "
         "veces.",
         "Solo se dibujan las series más grandes; la tabla las tiene todas.",
         "periodo",
         "tipo de incidente",
         "agresor",
         "región",
         "idioma de quien reporta",
         "necesidades expresadas"},
    [L_FR] =
        {"Signalements reçus par {1}",
         " et ",
         "Total",
         "Signalements",
         "Signalements reçus du {1} au {2}. Exporté le {3}.",
         "Ces chiffres comptent les signalements reçus par l'organisation. "
         "Ils ne mesurent pas la fréquence des violations : la plupart ne "
         "sont jamais signalées.",
         "{1} : moins de {2} signalements ; le nombre exact est masqué pour "
         "protéger les personnes qui ont signalé.",
         "{1} : masqué pour qu'un petit nombre ne puisse pas être déduit des "
         "totaux.",
         "Les autres chiffres sont arrondis au multiple de {1} le plus "
         "proche ; chaque total est arrondi séparément, la somme des lignes "
         "peut donc différer du total.",
         "Un signalement peut compter dans plusieurs catégories ou besoins : "
         "les totaux comptent des signalements, pas la somme des lignes.",
         "Un bruit aléatoire a été ajouté avant l'arrondi (Laplace discrète, "
         "epsilon = {1}) : de petites différences ne signifient rien.",
         "Brouillon à usage interne : non inscrit au registre des "
         "publications.",
         "Combiné à partir des chiffres publiés de {1} organisations, déjà "
         "protégés ; un signalement envoyé à deux organisations compte deux "
         "fois.",
         "Seules les plus grandes séries sont tracées ; le tableau les a "
         "toutes.",
         "période",
         "type d'incident",
         "auteur",
         "région",
         "langue de la personne",
         "besoins exprimés"},
    [L_PT] =
        {"Relatos recebidos por {1}",
         " e ",
         "Total",
         "Relatos",
         "Relatos recebidos de {1} a {2}. Exportado em {3}.",
         "Estes números contam os relatos recebidos pela organização. Não "
         "medem a frequência das violações: a maioria nunca é relatada.",
         "{1}: menos de {2} relatos; o número exato é ocultado para proteger "
         "quem relatou.",
         "{1}: ocultado para que um número pequeno não possa ser deduzido dos "
         "totais.",
         "Os demais números são arredondados para o múltiplo de {1} mais "
         "próximo; cada total é arredondado separadamente, então as linhas "
         "podem não somar o total.",
         "Um relato pode contar em várias categorias ou necessidades: os "
         "totais contam relatos, não a soma das linhas.",
         "Foi adicionado ruído aleatório antes do arredondamento (Laplace "
         "discreta, épsilon = {1}), então pequenas diferenças não significam "
         "nada.",
         "Rascunho para uso interno: não registrado no registro de "
         "publicações.",
         "Combinado a partir dos números publicados de {1} organizações, já "
         "protegidos; um relato enviado a duas organizações conta duas vezes.",
         "Só as maiores séries são desenhadas; a tabela tem todas.",
         "período",
         "tipo de incidente",
         "agressor",
         "região",
         "idioma de quem relatou",
         "necessidades informadas"},
    [L_TH] = {"รายงานที่ได้รับ จำแนกตาม{1}",
              " และ",
              "รวม",
              "รายงาน",
              "รายงานที่ได้รับตั้งแต่ {1} ถึง {2} ส่งออกเมื่อ {3}",
              "ตัวเลขเหล่านี้นับจำนวนรายงานที่องค์กรได้รับ "
              "ไม่ใช่การวัดว่าการละเมิดเกิดขึ้นบ่อยเพียงใด "
              "การละเมิดส่วนใหญ่ไม่เคยถูกรายงาน",
              "{1}: น้อยกว่า {2} รายงาน ซ่อนตัวเลขที่แท้จริงเพื่อปกป้องผู้แจ้ง",
              "{1}: ซ่อนไว้เพื่อไม่ให้คำนวณตัวเลขที่น้อยย้อนกลับจากยอดรวมได้",
              "ตัวเลขอื่นปัดเป็นพหุคูณของ {1} ที่ใกล้ที่สุด ยอดรวมแต่ละยอดปัดแยกกัน "
              "ผลบวกของแถวจึงอาจไม่เท่ากับยอดรวม",
              "รายงานหนึ่งฉบับอาจนับอยู่ในหลายประเภทหรือหลายความต้องการ "
              "ยอดรวมนับจำนวนรายงาน ไม่ใช่ผลบวกของแถว",
              "มีการเพิ่มสัญญาณรบกวนแบบสุ่มก่อนปัดเศษ (Laplace แบบไม่ต่อเนื่อง, "
              "epsilon = {1}) ความต่างเล็กน้อยจึงไม่มีความหมาย",
              "ฉบับร่างสำหรับใช้ภายใน ยังไม่ได้บันทึกในทะเบียนการเผยแพร่",
              "รวมจากตัวเลขที่เผยแพร่แล้วของ {1} องค์กร ซึ่งได้รับการปกป้องแล้ว "
              "รายงานที่ส่งถึงสององค์กรจะถูกนับสองครั้ง",
              "แสดงเฉพาะชุดข้อมูลที่ใหญ่ที่สุด ตารางมีครบทั้งหมด",
              "ช่วงเวลา",
              "ประเภทเหตุการณ์",
              "ผู้กระทำ",
              "ภูมิภาค",
              "ภาษาของผู้แจ้ง",
              "ความต้องการที่แจ้ง"},
    [L_AR] =
        {"البلاغات الواردة حسب {1}",
         " و",
         "المجموع",
         "البلاغات",
         "البلاغات الواردة من {1} إلى {2}. صُدّرت في {3}.",
         "تحصي هذه الأرقام البلاغات التي تلقّتها المنظمة، وهي ليست مقياسًا "
         "لمدى تكرار الانتهاكات: فمعظم الانتهاكات لا يُبلَّغ عنها أبدًا.",
         "{1}: أقل من {2} بلاغات؛ الرقم الدقيق مخفي لحماية من أبلغوا.",
         "{1}: مخفي حتى لا يمكن استنتاج رقم صغير من المجاميع.",
         "الأرقام الأخرى مقرّبة إلى أقرب مضاعف لـ {1}؛ ويُقرَّب كل مجموع على "
         "حدة، لذا قد لا يساوي مجموع الصفوف المجموع الكلي.",
         "قد يُحتسب البلاغ الواحد في عدة فئات أو احتياجات: المجاميع تحصي "
         "البلاغات لا مجموع الصفوف.",
         "أُضيفت ضوضاء عشوائية قبل التقريب (لابلاس المنفصل، إبسيلون = {1})، "
         "لذا لا تعني الفروق الصغيرة شيئًا.",
         "مسودة للاستخدام الداخلي: غير مسجلة في سجل النشر.",
         "مجمّعة من الأرقام المنشورة لـ {1} منظمات، وهي محمية مسبقًا؛ البلاغ "
         "المرسل إلى منظمتين يُحتسب مرتين.",
         "تُرسم أكبر السلاسل فقط؛ الجدول يضمها جميعًا.",
         "الفترة",
         "نوع الحادثة",
         "الجاني",
         "المنطقة",
         "لغة المبلِّغ",
         "الاحتياجات المذكورة"},
};

/* Labels of codes: code, then en es fr pt-BR th ar. */
static const char *const LABELS[][1 + NLANG] = {
    {"physical-violence", "Physical violence", "Violencia física",
     "Violence physique", "Violência física", "ความรุนแรงทางร่างกาย", "عنف جسدي"},
    {"sexual-violence", "Sexual violence", "Violencia sexual",
     "Violence sexuelle", "Violência sexual", "ความรุนแรงทางเพศ", "عنف جنسي"},
    {"robbery", "Robbery", "Robo", "Vol", "Roubo", "การปล้น", "سرقة"},
    {"non-payment", "Non-payment", "Impago", "Non-paiement",
     "Falta de pagamento", "ไม่จ่ายเงิน", "عدم الدفع"},
    {"threats-stalking", "Threats or stalking", "Amenazas o acoso",
     "Menaces ou harcèlement", "Ameaças ou perseguição", "การข่มขู่หรือสะกดรอยตาม",
     "تهديد أو ملاحقة"},
    {"police-harassment", "Police harassment", "Acoso policial",
     "Harcèlement policier", "Assédio policial", "การคุกคามโดยตำรวจ",
     "مضايقة الشرطة"},
    {"police-extortion", "Police extortion", "Extorsión policial",
     "Extorsion policière", "Extorsão policial", "การรีดไถโดยตำรวจ",
     "ابتزاز الشرطة"},
    {"arrest-detention", "Arrest or detention", "Arresto o detención",
     "Arrestation ou détention", "Prisão ou detenção", "การจับกุมหรือคุมขัง",
     "اعتقال أو احتجاز"},
    {"immigration-raid", "Immigration raid", "Redada migratoria",
     "Descente de l'immigration", "Batida de imigração", "การบุกตรวจคนเข้าเมือง",
     "مداهمة الهجرة"},
    {"exploitation", "Exploitation", "Explotación", "Exploitation",
     "Exploração", "การแสวงประโยชน์", "استغلال"},
    {"service-discrimination", "Discrimination by services",
     "Discriminación en servicios", "Discrimination dans les services",
     "Discriminação em serviços", "การเลือกปฏิบัติในการรับบริการ",
     "تمييز في الخدمات"},
    {"housing-eviction", "Housing or eviction", "Vivienda o desalojo",
     "Logement ou expulsion", "Moradia ou despejo", "ที่อยู่อาศัยหรือการไล่ที่",
     "السكن أو الإخلاء"},
    {"client", "Client", "Cliente", "Client", "Cliente", "ลูกค้า", "زبون"},
    {"police", "Police", "Policía", "Police", "Polícia", "ตำรวจ", "الشرطة"},
    {"immigration", "Immigration officers", "Agentes de migración",
     "Agents de l'immigration", "Agentes de imigração", "เจ้าหน้าที่ตรวจคนเข้าเมือง",
     "موظفو الهجرة"},
    {"manager", "Manager", "Encargado/a", "Gérant·e", "Gerente", "ผู้จัดการ",
     "مدير"},
    {"landlord", "Landlord", "Casero/a", "Propriétaire", "Senhorio",
     "เจ้าของที่พัก", "مالك السكن"},
    {"partner", "Partner", "Pareja", "Partenaire", "Parceiro(a)", "คู่ครอง",
     "شريك"},
    {"health", "Health", "Salud", "Santé", "Saúde", "สุขภาพ", "صحة"},
    {"legal", "Legal help", "Ayuda legal", "Aide juridique", "Ajuda jurídica",
     "ความช่วยเหลือทางกฎหมาย", "مساعدة قانونية"},
    {"immigration-advice", "Immigration advice", "Asesoría migratoria",
     "Conseil en immigration", "Orientação migratória", "คำปรึกษาด้านการเข้าเมือง",
     "استشارة الهجرة"},
    {"housing", "Housing", "Vivienda", "Logement", "Moradia", "ที่อยู่อาศัย", "سكن"},
    {"safety", "Safety", "Seguridad", "Sécurité", "Segurança", "ความปลอดภัย",
     "سلامة"},
    {"other", "Other", "Otro", "Autre", "Outro", "อื่น ๆ", "أخرى"},
    {"unknown", "Unknown", "Desconocido", "Inconnu", "Desconhecido", "ไม่ทราบ",
     "غير معروف"},
    {"not-stated", "Not stated", "No indicado", "Non précisé", "Não informado",
     "ไม่ได้ระบุ", "غير مذكور"},
};

static int
lang_index(const char *lang)
{
    int i;

    for (i = 0; i < NLANG; i++)
        if (lang != NULL && strcmp(lang, LANGS[i]) == 0)
            return i;
    if (lang != NULL && strcmp(lang, "pt") == 0)
        return L_PT;
    return L_EN;
}

int
stats_lang_known(const char *lang)
{
    int i;

    for (i = 0; i < NLANG; i++)
        if (strcmp(lang, LANGS[i]) == 0)
            return 1;
    return strcmp(lang, "pt") == 0;
}

static const char *
label(int li, const char *code)
{
    size_t i;

    for (i = 0; i < sizeof LABELS / sizeof LABELS[0]; i++)
        if (strcmp(LABELS[i][0], code) == 0)
            return LABELS[i][1 + li];
    return code;
}

/* ---- writing helpers ------------------------------------------------- */

/* Buffered text with a sticky error. */
struct out {
    FILE *f;
    int esc; /* 1: escape for XML/HTML */
};

static void
put(struct out *o, const char *s)
{
    if (!o->esc) {
        fputs(s, o->f);
        return;
    }
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", o->f);
            break;
        case '>':
            fputs("&gt;", o->f);
            break;
        case '&':
            fputs("&amp;", o->f);
            break;
        case '"':
            fputs("&quot;", o->f);
            break;
        case '\'':
            fputs("&#39;", o->f);
            break;
        default:
            fputc(*s, o->f);
        }
    }
}

static void
raw(struct out *o, const char *s)
{
    fputs(s, o->f);
}

/* A catalogue template with {1}, {2}, {3} replaced (escaped as o says). */
static void
tpl(struct out *o, const char *t, const char *a, const char *b, const char *c)
{
    const char *p;

    for (p = t; *p; p++) {
        if (p[0] == '{' && p[1] >= '1' && p[1] <= '3' && p[2] == '}') {
            const char *v = p[1] == '1' ? a : p[1] == '2' ? b : c;
            put(o, v ? v : "");
            p += 2;
        } else {
            char ch[2] = {*p, 0};
            put(o, ch);
        }
    }
}

static void
cell_text(char *buf, size_t cap, const struct stats_pub *p,
          const struct stats_cell *c)
{
    if (c->state == STATS_SHOWN)
        snprintf(buf, cap, "%" PRIu64, c->shown);
    else if (c->state == STATS_SMALL)
        snprintf(buf, cap, "<%u", p->policy.threshold);
    else
        snprintf(buf, cap, "x");
}

static void
title(struct out *o, const struct stats_pub *p, int li)
{
    char dims[200];

    if (p->ndims == 2)
        snprintf(dims, sizeof dims, "%s%s%s", MSG[li][M_DIM0 + p->dims[0]],
                 MSG[li][M_AND], MSG[li][M_DIM0 + p->dims[1]]);
    else
        snprintf(dims, sizeof dims, "%s", MSG[li][M_DIM0 + p->dims[0]]);
    tpl(o, MSG[li][M_TITLE], dims, NULL, NULL);
}

/* The honest-reading notes, one per call of line(). */
static void
notes(struct out *o, const struct stats_pub *p, int li, const char *before,
      const char *after)
{
    char a[32], b[32];

    raw(o, before);
    tpl(o, MSG[li][M_COUNTS], NULL, NULL, NULL);
    raw(o, after);
    snprintf(a, sizeof a, "<%u", p->policy.threshold);
    snprintf(b, sizeof b, "%u", p->policy.threshold);
    raw(o, before);
    tpl(o, MSG[li][M_SMALL], a, b, NULL);
    raw(o, after);
    raw(o, before);
    tpl(o, MSG[li][M_HIDDEN], "x", NULL, NULL);
    raw(o, after);
    if (p->policy.round > 1) {
        snprintf(a, sizeof a, "%u", p->policy.round);
        raw(o, before);
        tpl(o, MSG[li][M_ROUND], a, NULL, NULL);
        raw(o, after);
    }
    if (p->multi) {
        raw(o, before);
        tpl(o, MSG[li][M_MULTI], NULL, NULL, NULL);
        raw(o, after);
    }
    if (p->policy.eps_num) {
        snprintf(a, sizeof a, "%" PRIu32 "/%" PRIu32, p->policy.eps_num,
                 p->policy.eps_den);
        raw(o, before);
        tpl(o, MSG[li][M_NOISE], a, NULL, NULL);
        raw(o, after);
    }
    if (p->merged) {
        snprintf(a, sizeof a, "%u", p->merged);
        raw(o, before);
        tpl(o, MSG[li][M_MERGED], a, NULL, NULL);
        raw(o, after);
    }
    if (p->status != NULL && strcmp(p->status, "draft") == 0) {
        raw(o, before);
        tpl(o, MSG[li][M_DRAFT], NULL, NULL, NULL);
        raw(o, after);
    }
}

/* ---- CSV ------------------------------------------------------------- */

static void
csv_field(FILE *f, const char *s)
{
    const char *p;

    /* keys are checked on the way in; quote anyway when needed and keep a
     * spreadsheet from reading a formula */
    if (strpbrk(s, ",\"\n\r") == NULL && strchr("=+-@", s[0]) == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (strchr("=+-@", s[0]) != NULL && s[0] != '\0')
        fputc('\'', f);
    for (p = s; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

static void
write_csv(FILE *f, const struct stats_pub *p, int li)
{
    struct out o = {f, 0};
    size_t i, j;
    char buf[32];

    raw(&o, "# ");
    title(&o, p, li);
    raw(&o, "\n");
    fprintf(f,
            "# dims=%s%s%s; period=%s; from=%s; to=%s; exported=%s; "
            "threshold=%u; round=%u; epsilon=",
            stats_dim_name(p->dims[0]), p->ndims == 2 ? "," : "",
            p->ndims == 2 ? stats_dim_name(p->dims[1]) : "",
            stats_period_name(p->period), p->from, p->to, p->exported,
            p->policy.threshold, p->policy.round);
    if (p->policy.eps_num)
        fprintf(f, "%" PRIu32 "/%" PRIu32, p->policy.eps_num,
                p->policy.eps_den);
    else
        fputs("none", f);
    fprintf(f, "; status=%s\n", p->status ? p->status : "draft");
    notes(&o, p, li, "# ", "\n");
    csv_field(f, stats_dim_name(p->dims[0]));
    if (p->ndims == 2) {
        for (j = 0; j < p->ncols; j++) {
            fputc(',', f);
            csv_field(f, p->colkeys[j]);
        }
        fputs(",total\n", f);
    } else {
        fputs(",reports\n", f);
    }
    for (i = 0; i <= p->nrows; i++) {
        csv_field(f, i < p->nrows ? p->rowkeys[i] : "total");
        for (j = 0; j <= p->ncols; j++) {
            cell_text(buf, sizeof buf, p, &p->grid[stats_at(p, i, j)]);
            fputc(',', f);
            fputs(buf, f);
        }
        fputc('\n', f);
    }
}

/* ---- JSON ------------------------------------------------------------ */

static json_t *
cell_json(const struct stats_pub *p, const struct stats_cell *c)
{
    char buf[32];

    if (c->state == STATS_SHOWN)
        return json_integer((json_int_t)c->shown);
    cell_text(buf, sizeof buf, p, c);
    return json_string(buf);
}

static json_t *
keys_json(char (*k)[STATS_KEY_MAX], size_t n)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; a != NULL && i < n; i++)
        json_array_append_new(a, json_string(k[i]));
    return a;
}

static json_t *
pub_json(const struct stats_pub *p, int li)
{
    json_t *j = NULL, *dims, *notes_a, *pol, *a;
    size_t i, k;
    char eps[32];
    FILE *mf;
    char *nbuf = NULL;
    size_t nlen = 0;

    j = json_object();
    if (j == NULL)
        return NULL;
    dims = json_array();
    json_array_append_new(dims, json_string(stats_dim_name(p->dims[0])));
    if (p->ndims == 2)
        json_array_append_new(dims, json_string(stats_dim_name(p->dims[1])));
    json_object_set_new(j, "schema", json_string("umbra.stats/1"));
    json_object_set_new(j, "counts", json_string("reports received"));
    /* the notes, one string each, from the text writer */
    notes_a = json_array();
    mf = open_memstream(&nbuf, &nlen);
    if (mf != NULL) {
        struct out o = {mf, 0};
        char *line, *save = NULL;

        notes(&o, p, li, "", "\n");
        fclose(mf);
        for (line = strtok_r(nbuf, "\n", &save); line != NULL;
             line = strtok_r(NULL, "\n", &save))
            json_array_append_new(notes_a, json_string(line));
        free(nbuf);
    }
    json_object_set_new(j, "notes", notes_a);
    json_object_set_new(j, "dims", dims);
    json_object_set_new(j, "period", json_string(stats_period_name(p->period)));
    json_object_set_new(j, "from", json_string(p->from));
    json_object_set_new(j, "to", json_string(p->to));
    json_object_set_new(j, "exported", json_string(p->exported));
    pol = json_object();
    json_object_set_new(pol, "threshold", json_integer(p->policy.threshold));
    json_object_set_new(pol, "round", json_integer(p->policy.round));
    if (p->policy.eps_num) {
        snprintf(eps, sizeof eps, "%" PRIu32 "/%" PRIu32, p->policy.eps_num,
                 p->policy.eps_den);
        json_object_set_new(pol, "epsilon", json_string(eps));
        json_object_set_new(pol, "noise", json_string("discrete-laplace"));
        json_object_set_new(pol, "sensitivity", json_integer(p->sensitivity));
    } else {
        json_object_set_new(pol, "epsilon", json_null());
        json_object_set_new(pol, "noise", json_string("none"));
    }
    json_object_set_new(pol, "secondary_suppression", json_true());
    json_object_set_new(pol, "totals", json_string("rounded separately"));
    json_object_set_new(j, "policy", pol);
    json_object_set_new(j, "multi_valued", json_boolean(p->multi));
    json_object_set_new(j, "status",
                        json_string(p->status ? p->status : "draft"));
    if (p->merged)
        json_object_set_new(j, "merged_from", json_integer(p->merged));
    json_object_set_new(j, "rows", keys_json(p->rowkeys, p->nrows));
    if (p->ndims == 2) {
        json_t *cells = json_array(), *rt = json_array(), *ct = json_array();

        json_object_set_new(j, "columns", keys_json(p->colkeys, p->ncols));
        for (i = 0; i < p->nrows; i++) {
            a = json_array();
            for (k = 0; k < p->ncols; k++)
                json_array_append_new(
                    a, cell_json(p, &p->grid[stats_at(p, i, k)]));
            json_array_append_new(cells, a);
            json_array_append_new(
                rt, cell_json(p, &p->grid[stats_at(p, i, p->ncols)]));
        }
        for (k = 0; k < p->ncols; k++)
            json_array_append_new(
                ct, cell_json(p, &p->grid[stats_at(p, p->nrows, k)]));
        json_object_set_new(j, "cells", cells);
        json_object_set_new(j, "row_totals", rt);
        json_object_set_new(j, "column_totals", ct);
    } else {
        a = json_array();
        for (i = 0; i < p->nrows; i++)
            json_array_append_new(a, cell_json(p, &p->grid[stats_at(p, i, 0)]));
        json_object_set_new(j, "values", a);
    }
    json_object_set_new(
        j, "total", cell_json(p, &p->grid[stats_at(p, p->nrows, p->ncols)]));
    return j;
}

char *
stats_json(const struct stats_pub *p)
{
    json_t *j = pub_json(p, L_EN);
    char *s;

    if (j == NULL)
        return NULL;
    s = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(j);
    return s;
}

/* ---- reading an export back ------------------------------------------ */

static int
cell_parse(struct stats_cell *c, json_t *v, unsigned threshold)
{
    char want[32];

    memset(c, 0, sizeof *c);
    if (json_is_integer(v) && json_integer_value(v) >= 0 &&
        json_integer_value(v) < ((json_int_t)1 << 50)) {
        c->state = STATS_SHOWN;
        c->v = c->shown = (uint64_t)json_integer_value(v);
        return 0;
    }
    if (!json_is_string(v))
        return -1;
    snprintf(want, sizeof want, "<%u", threshold);
    if (strcmp(json_string_value(v), want) == 0) {
        c->state = STATS_SMALL;
        return 0;
    }
    if (strcmp(json_string_value(v), "x") == 0) {
        c->state = STATS_HIDDEN;
        return 0;
    }
    return -1;
}

static int
keys_parse(char (*out)[STATS_KEY_MAX], json_t *a, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        json_t *v = json_array_get(a, i);
        const char *s;
        size_t k;

        if (!json_is_string(v))
            return -1;
        s = json_string_value(v);
        if (strlen(s) == 0 || strlen(s) >= STATS_KEY_MAX)
            return -1;
        for (k = 0; s[k]; k++)
            if ((unsigned char)s[k] < 0x20 || strchr("<>&\"", s[k]) != NULL)
                return -1;
        memcpy(out[i], s, strlen(s) + 1);
    }
    return 0;
}

static int
date_ok(const char *s)
{
    int i;

    if (strlen(s) != 10)
        return 0;
    for (i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return 0;
    return 1;
}

int
stats_parse(struct stats_pub *p, const char *json, size_t len, char *err,
            size_t cap)
{
    json_t *j = NULL, *dims, *rows, *cols = NULL, *pol, *t;
    json_error_t je;
    const char *per, *from, *to, *exp_ = "";
    size_t nrows, ncols = 0, i, k;
    json_int_t th, ro;
    int d, rc = -1;

    memset(p, 0, sizeof *p);
    j = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL) {
        snprintf(err, cap, "not JSON: %s (line %d)", je.text, je.line);
        return -1;
    }
    t = json_object_get(j, "schema");
    if (!json_is_string(t) || strcmp(json_string_value(t), "umbra.stats/1")) {
        snprintf(err, cap, "not an umbra.stats/1 export");
        goto out;
    }
    if (json_unpack(j, "{s:o, s:s, s:s, s:s, s:o, s:o}", "dims", &dims,
                    "period", &per, "from", &from, "to", &to, "policy", &pol,
                    "rows", &rows) != 0 ||
        !json_is_array(dims) || !json_is_array(rows) ||
        json_unpack(pol, "{s:I, s:I}", "threshold", &th, "round", &ro) != 0) {
        snprintf(err, cap, "missing dims, period, from, to, policy or rows");
        goto out;
    }
    t = json_object_get(j, "exported");
    if (json_is_string(t) && date_ok(json_string_value(t)))
        exp_ = json_string_value(t);
    p->ndims = (int)json_array_size(dims);
    if (p->ndims < 1 || p->ndims > 2) {
        snprintf(err, cap, "one or two dims");
        goto out;
    }
    for (k = 0; k < (size_t)p->ndims; k++) {
        t = json_array_get(dims, k);
        for (d = 0; d < STATS_NDIMS; d++)
            if (json_is_string(t) &&
                !strcmp(json_string_value(t), DIM_NAMES[d]))
                break;
        if (d == STATS_NDIMS) {
            snprintf(err, cap, "unknown dimension");
            goto out;
        }
        p->dims[k] = (enum stats_dim)d;
    }
    if (!strcmp(per, "month"))
        p->period = STATS_MONTH;
    else if (!strcmp(per, "quarter"))
        p->period = STATS_QUARTER;
    else if (!strcmp(per, "year"))
        p->period = STATS_YEAR;
    else {
        snprintf(err, cap, "bad period");
        goto out;
    }
    if (!date_ok(from) || !date_ok(to) || th < 1 || th > STATS_THRESHOLD_MAX ||
        ro < 1 || ro > STATS_ROUND_MAX) {
        snprintf(err, cap, "bad dates or policy");
        goto out;
    }
    memcpy(p->from, from, 11);
    memcpy(p->to, to, 11);
    snprintf(p->exported, sizeof p->exported, "%s", exp_);
    p->policy.threshold = (unsigned)th;
    p->policy.round = (unsigned)ro;
    t = json_object_get(pol, "epsilon");
    if (json_is_string(t)) {
        unsigned long en, ed;
        char tail;
        if (sscanf(json_string_value(t), "%lu/%lu%c", &en, &ed, &tail) != 2 ||
            en == 0 || ed == 0 || en > 0xffffffffu || ed > 0xffffffffu) {
            snprintf(err, cap, "bad epsilon");
            goto out;
        }
        p->policy.eps_num = (uint32_t)en;
        p->policy.eps_den = (uint32_t)ed;
    }
    p->multi = json_is_true(json_object_get(j, "multi_valued"));
    nrows = json_array_size(rows);
    if (p->ndims == 2) {
        cols = json_object_get(j, "columns");
        if (!json_is_array(cols)) {
            snprintf(err, cap, "missing columns");
            goto out;
        }
        ncols = json_array_size(cols);
        if (ncols == 0) {
            snprintf(err, cap, "no columns");
            goto out;
        }
    }
    if (stats_pub_alloc(p, nrows, ncols) != 0) {
        snprintf(err, cap, "bad number of rows or columns");
        goto out;
    }
    if (keys_parse(p->rowkeys, rows, nrows) != 0 ||
        (cols != NULL && keys_parse(p->colkeys, cols, ncols) != 0)) {
        snprintf(err, cap, "bad row or column name");
        goto fail;
    }
    if (p->ndims == 2) {
        json_t *cells = json_object_get(j, "cells");
        json_t *rt = json_object_get(j, "row_totals");
        json_t *ct = json_object_get(j, "column_totals");

        if (json_array_size(cells) != nrows || json_array_size(rt) != nrows ||
            json_array_size(ct) != ncols)
            goto shape;
        for (i = 0; i < nrows; i++) {
            json_t *row = json_array_get(cells, i);
            if (json_array_size(row) != ncols)
                goto shape;
            for (k = 0; k < ncols; k++)
                if (cell_parse(&p->grid[stats_at(p, i, k)],
                               json_array_get(row, k), p->policy.threshold))
                    goto shape;
            if (cell_parse(&p->grid[stats_at(p, i, ncols)],
                           json_array_get(rt, i), p->policy.threshold))
                goto shape;
        }
        for (k = 0; k < ncols; k++)
            if (cell_parse(&p->grid[stats_at(p, nrows, k)],
                           json_array_get(ct, k), p->policy.threshold))
                goto shape;
    } else {
        json_t *vals = json_object_get(j, "values");

        if (json_array_size(vals) != nrows)
            goto shape;
        for (i = 0; i < nrows; i++)
            if (cell_parse(&p->grid[stats_at(p, i, 0)], json_array_get(vals, i),
                           p->policy.threshold))
                goto shape;
    }
    if (cell_parse(&p->grid[stats_at(p, nrows, ncols)],
                   json_object_get(j, "total"), p->policy.threshold))
        goto shape;
    p->status = "published";
    rc = 0;
    goto out;
shape:
    snprintf(err, cap,
             "cells do not match rows and columns, or a cell is "
             "neither a count, \"<threshold\" nor \"x\"");
fail:
    stats_pub_release(p);
out:
    json_decref(j);
    return rc;
}

/* ---- SVG ------------------------------------------------------------- */

#define SVG_W 820
static const char *const COLOURS[] = {"#1b5e8c", "#c2571a", "#2e7d32",
                                      "#8e24aa", "#b71c1c", "#00838f",
                                      "#6d4c41", "#546e7a"};
#define NCOLOURS 8

/* x mirrored for right-to-left languages */
static int
mx(int rtl, int x)
{
    return rtl ? SVG_W - x : x;
}

static void
svg_text(struct out *o, int rtl, int x, int y, const char *anchor,
         const char *extra, const char *s)
{
    /* with direction="rtl", "start" is the right end: x is mirrored and
     * the anchor kept */
    fprintf(o->f, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\"%s%s>", mx(rtl, x),
            y, anchor, extra ? " " : "", extra ? extra : "");
    put(o, s);
    raw(o, "</text>\n");
}

static const char *
key_label(const struct stats_pub *p, int li, int k, const char *key)
{
    if (p->dims[k] == STATS_DIM_PERIOD || p->dims[k] == STATS_DIM_LANG ||
        (p->dims[k] == STATS_DIM_REGION && strcmp(key, "other") &&
         strcmp(key, "unknown")))
        return key;
    return label(li, key);
}

/* the largest shown value of a line of entries, for the scale */
static uint64_t
nice_max(uint64_t m)
{
    uint64_t s = 10;

    while (s < m)
        s = s * 2 < m ? s * 5 : s * 2;
    return s;
}

static void
svg_bars(struct out *o, const struct stats_pub *p, int li, int rtl, int y0)
{
    /* one bar per row, its row total (the counts for one dimension) */
    size_t i;
    uint64_t m = 1;
    int lw = 250, bw = SVG_W - lw - 80, rh = 26;
    char buf[32];

    for (i = 0; i < p->nrows; i++) {
        const struct stats_cell *c = &p->grid[stats_at(p, i, p->ncols)];
        if (c->state == STATS_SHOWN && c->shown > m)
            m = c->shown;
    }
    m = nice_max(m);
    for (i = 0; i < p->nrows; i++) {
        const struct stats_cell *c = &p->grid[stats_at(p, i, p->ncols)];
        int y = y0 + (int)i * rh;
        int w;

        svg_text(o, rtl, lw - 8, y + 17, "end", NULL,
                 key_label(p, li, 0, p->rowkeys[i]));
        cell_text(buf, sizeof buf, p, c);
        if (c->state == STATS_SHOWN) {
            w = (int)((uint64_t)bw * c->shown / m);
            fprintf(o->f,
                    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                    "fill=\"%s\"/>\n",
                    rtl ? mx(rtl, lw) - w : lw, y + 4, w, rh - 8, COLOURS[0]);
        } else {
            w = 0;
            fprintf(o->f,
                    "<rect x=\"%d\" y=\"%d\" width=\"24\" height=\"%d\" "
                    "fill=\"none\" stroke=\"#888\" stroke-dasharray=\"3 2\"/>"
                    "\n",
                    rtl ? mx(rtl, lw) - 24 : lw, y + 4, rh - 8);
            w = 24;
        }
        svg_text(o, rtl, lw + w + 6, y + 17, "start", NULL, buf);
    }
}

static void
svg_lines(struct out *o, const struct stats_pub *p, int li, int rtl, int y0,
          int h)
{
    /* x: periods; one line per series (the other dimension), or the
     * period totals when the table has one dimension */
    int pk = p->dims[0] == STATS_DIM_PERIOD ? 0 : 1;
    size_t np = pk == 0 ? p->nrows : p->ncols;
    size_t ns = p->ndims == 2 ? (pk == 0 ? p->ncols : p->nrows) : 1;
    size_t s, t, drawn = 0;
    size_t order[NCOLOURS];
    uint64_t m = 1;
    int x0 = 70, x1 = SVG_W - 200, gh = h - 60;
    char buf[32];

    /* the series with the largest shown totals, at most NCOLOURS */
    for (s = 0; s < ns && drawn < NCOLOURS; s++) {
        size_t best = SIZE_MAX;
        uint64_t bv = 0;
        size_t c;

        for (c = 0; c < ns; c++) {
            const struct stats_cell *tc =
                p->ndims == 1 ? &p->grid[stats_at(p, p->nrows, 0)]
                : pk == 0     ? &p->grid[stats_at(p, p->nrows, c)]
                              : &p->grid[stats_at(p, c, p->ncols)];
            uint64_t v = tc->state == STATS_SHOWN ? tc->shown + 1 : 1;
            size_t q;
            int used = 0;

            for (q = 0; q < drawn; q++)
                used |= order[q] == c;
            if (!used && (best == SIZE_MAX || v > bv)) {
                best = c;
                bv = v;
            }
        }
        order[drawn++] = best;
    }
    for (s = 0; s < drawn; s++)
        for (t = 0; t < np; t++) {
            const struct stats_cell *c =
                p->ndims == 1 ? &p->grid[stats_at(p, t, 0)]
                : pk == 0     ? &p->grid[stats_at(p, t, order[s])]
                              : &p->grid[stats_at(p, order[s], t)];
            if (c->state == STATS_SHOWN && c->shown > m)
                m = c->shown;
        }
    m = nice_max(m);
    /* axes and scale */
    fprintf(o->f,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n"
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n",
            mx(rtl, x0), y0, mx(rtl, x0), y0 + gh, mx(rtl, x0), y0 + gh,
            mx(rtl, x1), y0 + gh);
    for (t = 0; t <= 5; t++) {
        int y = y0 + gh - (int)(t * (size_t)gh / 5);
        snprintf(buf, sizeof buf, "%" PRIu64, m * t / 5);
        svg_text(o, rtl, x0 - 6, y + 4, "end", NULL, buf);
        fprintf(o->f,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                "stroke=\"#ddd\"/>\n",
                mx(rtl, x0), y, mx(rtl, x1), y);
    }
    for (t = 0; t < np; t++) {
        int x = np > 1 ? x0 + 10 + (int)(t * (size_t)(x1 - x0 - 20) / (np - 1))
                       : (x0 + x1) / 2;
        if (np <= 12 || t % ((np + 11) / 12) == 0)
            svg_text(o, rtl, x, y0 + gh + 18, "middle", "font-size=\"11\"",
                     pk == 0 ? p->rowkeys[t] : p->colkeys[t]);
    }
    for (s = 0; s < drawn; s++) {
        int pen = 0;
        const char *col = COLOURS[s % NCOLOURS];

        fprintf(o->f,
                "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                "d=\"",
                col);
        for (t = 0; t < np; t++) {
            const struct stats_cell *c =
                p->ndims == 1 ? &p->grid[stats_at(p, t, 0)]
                : pk == 0     ? &p->grid[stats_at(p, t, order[s])]
                              : &p->grid[stats_at(p, order[s], t)];
            int x = np > 1
                        ? x0 + 10 + (int)(t * (size_t)(x1 - x0 - 20) / (np - 1))
                        : (x0 + x1) / 2;
            if (c->state != STATS_SHOWN) {
                pen = 0; /* a gap where the figure is hidden */
                continue;
            }
            fprintf(o->f, "%c%d %d ", pen ? 'L' : 'M', mx(rtl, x),
                    y0 + gh - (int)((uint64_t)gh * c->shown / m));
            pen = 1;
        }
        raw(o, "\"/>\n");
        for (t = 0; t < np; t++) {
            const struct stats_cell *c =
                p->ndims == 1 ? &p->grid[stats_at(p, t, 0)]
                : pk == 0     ? &p->grid[stats_at(p, t, order[s])]
                              : &p->grid[stats_at(p, order[s], t)];
            int x = np > 1
                        ? x0 + 10 + (int)(t * (size_t)(x1 - x0 - 20) / (np - 1))
                        : (x0 + x1) / 2;
            if (c->state == STATS_SHOWN)
                fprintf(o->f,
                        "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"%s\"/>\n",
                        mx(rtl, x),
                        y0 + gh - (int)((uint64_t)gh * c->shown / m), col);
            else
                fprintf(o->f,
                        "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"#fff\" "
                        "stroke=\"%s\"/>\n",
                        mx(rtl, x), y0 + gh, col);
        }
        /* legend */
        if (p->ndims == 2) {
            const char *key =
                pk == 0 ? p->colkeys[order[s]] : p->rowkeys[order[s]];
            int ly = y0 + 10 + (int)s * 20;
            fprintf(o->f,
                    "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" "
                    "fill=\"%s\"/>\n",
                    rtl ? mx(rtl, x1 + 20) - 12 : x1 + 20, ly - 10, col);
            svg_text(o, rtl, x1 + 38, ly, "start", "font-size=\"12\"",
                     key_label(p, li, pk == 0 ? 1 : 0, key));
        }
    }
    if (drawn < ns)
        svg_text(o, rtl, x0, y0 + gh + 40, "start", "font-size=\"11\"",
                 MSG[li][M_SHOWN_TOP]);
}

static void
write_svg(FILE *f, const struct stats_pub *p, int li, int inline_)
{
    struct out o = {f, 1};
    int rtl = li == L_AR;
    int line = p->dims[0] == STATS_DIM_PERIOD ||
               (p->ndims == 2 && p->dims[1] == STATS_DIM_PERIOD);
    int body = line ? 360 : (int)p->nrows * 26 + 10;
    int h = 70 + body + 120;
    char range[300];

    if (!inline_)
        raw(&o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, "
            "Noto Sans, Arial, sans-serif\" font-size=\"13\"%s role=\"img\">\n",
            SVG_W, h, SVG_W, h, rtl ? " direction=\"rtl\"" : "");
    raw(&o, "<title>");
    title(&o, p, li);
    raw(&o, "</title>\n");
    fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", SVG_W, h);
    {
        /* title and range as one text each */
        FILE *mf;
        char *buf = NULL;
        size_t len = 0;

        mf = open_memstream(&buf, &len);
        if (mf != NULL) {
            struct out m = {mf, 0};
            title(&m, p, li);
            fclose(mf);
            svg_text(&o, rtl, 20, 30, "start",
                     "font-size=\"18\" font-weight=\"bold\"", buf ? buf : "");
            free(buf);
        }
        buf = NULL;
        mf = open_memstream(&buf, &len);
        if (mf != NULL) {
            struct out m = {mf, 0};
            tpl(&m, MSG[li][M_RANGE], p->from, p->to, p->exported);
            fclose(mf);
            snprintf(range, sizeof range, "%s", buf ? buf : "");
            free(buf);
            svg_text(&o, rtl, 20, 52, "start", "font-size=\"12\"", range);
        }
    }
    if (line)
        svg_lines(&o, p, li, rtl, 70, body);
    else
        svg_bars(&o, p, li, rtl, 70);
    {
        /* the first notes under the chart (the full list is in the HTML) */
        char a[32], b[32];
        FILE *mf;
        char *buf = NULL;
        size_t len = 0;
        int y = 70 + body + 30;

        snprintf(a, sizeof a, "<%u", p->policy.threshold);
        snprintf(b, sizeof b, "%u", p->policy.threshold);
        mf = open_memstream(&buf, &len);
        if (mf != NULL) {
            struct out m = {mf, 0};
            tpl(&m, MSG[li][M_SMALL], a, b, NULL);
            raw(&m, "\n");
            tpl(&m, MSG[li][M_HIDDEN], "x", NULL, NULL);
            raw(&m, "\n");
            tpl(&m, MSG[li][M_COUNTS], NULL, NULL, NULL);
            fclose(mf);
            if (buf != NULL) {
                char *ln, *save = NULL;
                for (ln = strtok_r(buf, "\n", &save); ln != NULL;
                     ln = strtok_r(NULL, "\n", &save)) {
                    svg_text(&o, rtl, 20, y, "start", "font-size=\"10\"", ln);
                    y += 16;
                }
            }
            free(buf);
        }
    }
    raw(&o, "</svg>\n");
}

/* ---- HTML ------------------------------------------------------------ */

static void
write_html(FILE *f, const struct stats_pub *p, int li)
{
    struct out o = {f, 1};
    size_t i, j;
    char buf[32];

    fprintf(f,
            "<!DOCTYPE html>\n<html lang=\"%s\" dir=\"%s\">\n<head>\n"
            "<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" "
            "content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:\">\n<title>",
            LANGS[li], li == L_AR ? "rtl" : "ltr");
    title(&o, p, li);
    raw(&o, "</title>\n<style>\n"
            "body{font-family:'DejaVu Sans','Noto Sans',Arial,sans-serif;"
            "margin:2em auto;max-width:60em;color:#111;padding:0 1em}\n"
            "table{border-collapse:collapse;margin:1em 0}\n"
            "th,td{border:1px solid #999;padding:.25em .6em}\n"
            "td{text-align:end;font-variant-numeric:tabular-nums}\n"
            "tr.total td,tr.total th,td.total{font-weight:bold}\n"
            "th{text-align:start;background:#eee}\n"
            ".notes{font-size:.9em}\n"
            "svg{max-width:100%;height:auto}\n"
            "@media print{body{margin:0}svg{page-break-inside:avoid}}\n"
            "</style>\n</head>\n<body>\n<h1>");
    title(&o, p, li);
    raw(&o, "</h1>\n<p>");
    tpl(&o, MSG[li][M_RANGE], p->from, p->to, p->exported);
    raw(&o, "</p>\n<figure>\n");
    write_svg(f, p, li, 1);
    raw(&o, "</figure>\n<table>\n<thead><tr><th>");
    put(&o, MSG[li][M_DIM0 + p->dims[0]]);
    raw(&o, "</th>");
    if (p->ndims == 2) {
        for (j = 0; j < p->ncols; j++) {
            raw(&o, "<th>");
            put(&o, key_label(p, li, 1, p->colkeys[j]));
            raw(&o, "</th>");
        }
        raw(&o, "<th>");
        put(&o, MSG[li][M_TOTAL]);
        raw(&o, "</th>");
    } else {
        raw(&o, "<th>");
        put(&o, MSG[li][M_REPORTS]);
        raw(&o, "</th>");
    }
    raw(&o, "</tr></thead>\n<tbody>\n");
    for (i = 0; i <= p->nrows; i++) {
        raw(&o, i == p->nrows ? "<tr class=\"total\"><th>" : "<tr><th>");
        put(&o, i == p->nrows ? MSG[li][M_TOTAL]
                              : key_label(p, li, 0, p->rowkeys[i]));
        raw(&o, "</th>");
        for (j = 0; j <= p->ncols; j++) {
            cell_text(buf, sizeof buf, p, &p->grid[stats_at(p, i, j)]);
            raw(&o,
                j == p->ncols && p->ncols ? "<td class=\"total\">" : "<td>");
            put(&o, buf);
            raw(&o, "</td>");
        }
        raw(&o, "</tr>\n");
    }
    raw(&o, "</tbody>\n</table>\n<ul class=\"notes\">\n");
    notes(&o, p, li, "<li>", "</li>\n");
    raw(&o, "</ul>\n<p class=\"notes\">threshold ");
    fprintf(f, "%u, round %u, epsilon ", p->policy.threshold, p->policy.round);
    if (p->policy.eps_num)
        fprintf(f, "%" PRIu32 "/%" PRIu32, p->policy.eps_num,
                p->policy.eps_den);
    else
        raw(&o, "none");
    raw(&o, ", ");
    put(&o, p->status ? p->status : "draft");
    raw(&o, ".</p>\n</body>\n</html>\n");
}

int
stats_write(FILE *f, const struct stats_pub *p, enum stats_format fmt,
            const char *lang)
{
    int li = lang_index(lang);

    switch (fmt) {
    case STATS_CSV:
        write_csv(f, p, li);
        break;
    case STATS_JSON: {
        json_t *j = pub_json(p, li);
        if (j == NULL ||
            json_dumpf(j, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0) {
            json_decref(j);
            return -1;
        }
        json_decref(j);
        fputc('\n', f);
        break;
    }
    case STATS_SVG:
        write_svg(f, p, li, 0);
        break;
    case STATS_HTML:
        write_html(f, p, li);
        break;
    }
    return ferror(f) ? -1 : 0;
}
